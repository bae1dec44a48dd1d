import { UsageError } from '../usage-error.ts';
import { defineCommand } from '../admin-command.ts';
import { accountRef } from './account-json.ts';
import { emailArgument } from './arguments.ts';

const MAX_LIMIT = 1000;

export const command = defineCommand({
  options: { limit: { type: 'string' } },
  parse(line) {
    const limit = line.values.limit === undefined ? 50 : Number(line.values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}.`);
    return { email: emailArgument(line, 'events'), limit };
  },
  async run({ email, limit }, context) {
    const { user, events } = await context.accounts().events(email, limit);
    const rows = events.map((event) => ({
      id: event.id,
      kind: event.kind,
      occurredAt: event.occurredAt.toISOString(),
      ipAddress: event.ipAddress,
      userAgent: event.userAgent,
      sessionId: event.sessionId,
    }));
    const text =
      rows.length === 0
        ? `No security events for ${user.email}.`
        : rows.map((row) => [row.occurredAt, row.kind, row.ipAddress ?? '-', row.sessionId ?? '-', row.userAgent ?? '-'].join('\t')).join('\n');
    return { text, json: { user: accountRef(user), events: rows } };
  },
});
