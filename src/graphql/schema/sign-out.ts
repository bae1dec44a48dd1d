import { z } from 'zod';
import type { SignOutResult } from '../../sessions/session-service.ts';
import { InvalidSessionError, SessionNotFoundError, ValidationError } from '../../errors/errors.ts';
import { SESSION_ID } from '../../access-tokens/session-tokens.ts';
import { builder } from '../builder.ts';

const SignOutSuccess = builder.objectRef<SignOutResult>('SignOutSuccess').implement({
  fields: (t) => ({
    success: t.exposeBoolean('success'),
    revokedSessions: t.exposeInt('revokedSessions', { description: 'How many sessions this call ended.' }),
  }),
});

const SignOutInput = builder.inputType('SignOutInput', {
  fields: (t) => ({
    everywhere: t.boolean({ required: false, defaultValue: false, description: 'End every session of the account, not only this one.' }),
  }),
});

const RevokeSessionInput = builder.inputType('RevokeSessionInput', {
  fields: (t) => ({
    sessionId: t.id({ validate: { schema: z.string().regex(SESSION_ID, 'sessionId must be a session id') } }),
  }),
});

builder.mutationField('signOut', (t) =>
  t.field({
    type: SignOutSuccess,
    description: "Ends this request's session, or every session of the account.",
    args: { input: t.arg({ type: SignOutInput, required: false }) },
    errors: { types: [InvalidSessionError], union: { name: 'SignOutResult' } },
    resolve: async (_root, { input }, { accounts, auth, client, sessionCookie }) => {
      // Whatever the outcome, this browser's refresh token is of no further use.
      sessionCookie.clear();
      const everywhere = input?.everywhere ?? false;
      const result = await accounts.sessions.signOut(auth, { everywhere }, client);
      // Signing out everywhere voided every device token of the account, this browser's too.
      if (everywhere) sessionCookie.forgetDevice();
      return result;
    },
  }),
);

builder.mutationField('revokeSession', (t) =>
  t.field({
    type: SignOutSuccess,
    description: "Ends one of the viewer's own active sessions (this one included).",
    args: { input: t.arg({ type: RevokeSessionInput, required: true }) },
    errors: { types: [InvalidSessionError, SessionNotFoundError, ValidationError], union: { name: 'RevokeSessionResult' } },
    resolve: async (_root, { input }, { accounts, auth, client, sessionCookie }) => {
      const result = await accounts.sessions.revoke(auth, String(input.sessionId), client);
      if (result.current) sessionCookie.clear();
      return result;
    },
  }),
);
