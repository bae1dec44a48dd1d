import { Session } from '../../sessions/session.entity.ts';
import { deviceName } from '../../events/device-name.ts';
import { builder } from '../builder.ts';
import { UserType } from './user.ts';

export const SessionType = builder.objectType(Session, {
  name: 'Session',
  description: 'One signed-in device.',
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastActiveAt: t.expose('lastActiveAt', { type: 'DateTime', description: 'The last sign-in or refresh.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'The absolute end; it ends earlier when idle or revoked.' }),
    ipAddress: t.string({ nullable: true, resolve: (session) => session.ipAddress ?? null }),
    userAgent: t.string({ nullable: true, resolve: (session) => session.userAgent ?? null }),
    device: t.string({
      description: 'A name for the device from a fixed list ("Firefox on Windows"), never the free text of its user agent.',
      resolve: (session) => deviceName(session.userAgent ?? null),
    }),
    current: t.boolean({
      description: "The session of this request's token, or the one this answer signed in.",
      resolve: async (session, _args, { auth, sessionCookie }) => session.id === (sessionCookie.issuedSessionId ?? (await auth.sessionId())),
    }),
  }),
});

builder.objectField(UserType, 'sessions', (t) =>
  t.field({
    type: [SessionType],
    description: "The account's active sessions, most recently active first.",
    // A User is only ever the viewer (me) or the account an answer just signed in.
    resolve: (user, _args, { accounts }) => accounts.sessions.listActive(user.id),
  }),
);
