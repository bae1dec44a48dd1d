import { GraphQLError } from 'graphql';
import { SECURITY_EVENT_KINDS } from '../../events/security-event-kind.ts';
import type { SecurityEventRow } from '../../events/security-event-repository.ts';
import { deviceName } from '../../events/device-name.ts';
import { builder } from '../builder.ts';
import { UserType } from './user.ts';

export const SecurityEventKindEnum = builder.enumType('SecurityEventKind', { values: SECURITY_EVENT_KINDS });

const SecurityEventType = builder.objectRef<SecurityEventRow>('SecurityEvent').implement({
  description: 'A security-relevant outcome on the account (sign-in, password change, …). Never holds a secret.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.field({ type: SecurityEventKindEnum, resolve: (event) => event.kind }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    ipAddress: t.exposeString('ipAddress', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    device: t.string({
      description: 'A name for the device from a fixed list ("Firefox on Windows"), never the free text of its user agent.',
      resolve: (event) => deviceName(event.userAgent),
    }),
  }),
});

const SecurityEventConnection = builder.connectionObject({ type: SecurityEventType, name: 'SecurityEventConnection' });

export const MAX_PAGE = 100;

/** Opaque to clients; our cursor is the event's position in insertion order. */
const encodeCursor = (seq: number) => Buffer.from(`SecurityEvent:${seq}`).toString('base64url');

function decodeCursor(cursor: string): number {
  const match = /^SecurityEvent:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw badArgument('after is not a cursor of this connection.');
  return Number(match[1]);
}

const badArgument = (message: string) => new GraphQLError(message, { extensions: { code: 'VALIDATION_FAILED', http: { status: 400 } } });

builder.objectField(UserType, 'securityEvents', (t) =>
  t.field({
    type: SecurityEventConnection,
    description: `The account's security events, newest first; only the signed-in viewer sees their own (others get an empty list). \`first\` above ${MAX_PAGE} is reduced to ${MAX_PAGE}; a negative one is refused.`,
    args: {
      first: t.arg.int({ required: false, defaultValue: 20 }),
      after: t.arg.string({ required: false }),
    },
    resolve: async (user, { first, after }, { auth, securityEvents }) => {
      if (first != null && first < 0) throw badArgument('first must not be negative.');
      const limit = Math.min(first ?? 20, MAX_PAGE);
      const beforeSeq = after == null ? null : decodeCursor(after);
      const viewer = await auth.user();
      const rows = viewer?.id === user.id && limit > 0 ? await securityEvents.newestFirst(user.id, { limit: limit + 1, beforeSeq }) : [];
      const page = rows.slice(0, limit);
      const edges = page.map((event) => ({ cursor: encodeCursor(event.seq), node: event }));
      return {
        edges,
        pageInfo: {
          hasNextPage: rows.length > limit,
          hasPreviousPage: after != null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);
