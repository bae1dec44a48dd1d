import { z } from 'zod';
import { InvalidSessionError, RateLimitedError, ValidationError } from '../../errors/errors.ts';
import { MAX_REFRESH_TOKEN_LENGTH } from '../../sessions/refresh-token-secret.ts';
import { AuthPayloadType } from './auth.ts';
import { builder } from '../builder.ts';

const RefreshSessionInput = builder.inputType('RefreshSessionInput', {
  fields: (t) => ({
    refreshToken: t.string({
      required: false,
      description: 'Omit in cookie mode: the `rekey_refresh` cookie is read instead.',
      validate: {
        schema: z
          .string()
          .min(1, 'refreshToken must not be empty')
          .max(MAX_REFRESH_TOKEN_LENGTH, `refreshToken must be at most ${MAX_REFRESH_TOKEN_LENGTH} characters`),
      },
    }),
  }),
});

builder.mutationField('refreshSession', (t) =>
  t.field({
    type: AuthPayloadType,
    description: 'Trades a refresh token for a new access token and a new refresh token; the old refresh token is spent.',
    args: { input: t.arg({ type: RefreshSessionInput, required: false }) },
    errors: { types: [InvalidSessionError, RateLimitedError, ValidationError], union: { name: 'RefreshSessionResult' } },
    resolve: async (_root, { input }, { accounts, client, sessionCookie }) => {
      const token = input?.refreshToken ?? sessionCookie.presented;
      if (!token) {
        if (sessionCookie.enabled) throw new InvalidSessionError();
        throw new ValidationError([{ path: ['refreshToken'], message: 'refreshToken is required' }]);
      }
      try {
        return sessionCookie.issued(await accounts.sessions.refresh(token, client));
      } catch (error) {
        // The cookie's token is dead for good: the browser may as well forget it.
        if (error instanceof InvalidSessionError) sessionCookie.clear();
        throw error;
      }
    },
  }),
);
