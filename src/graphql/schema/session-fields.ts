import type { ObjectFieldBuilder, SchemaTypes } from '@pothos/core';
import type { SignedIn } from '../../sessions/session-service.ts';
import type { builder } from '../builder.ts';
import { UserType } from './user.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;
type FieldBuilder = ObjectFieldBuilder<Types, SignedIn>;

/** What every answer that signs someone in carries: AuthPayload and ChangePasswordSuccess. */
export function sessionFields(t: FieldBuilder) {
  return {
    token: t.exposeString('token', { description: 'The access token: send as `Authorization: Bearer <token>`.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    refreshToken: t.string({
      nullable: true,
      description: 'Single use: trade it for a new pair with refreshSession. Null in cookie mode, where it is the HttpOnly `rekey_refresh` cookie.',
      resolve: (signedIn, _args, { sessionCookie }) => (sessionCookie.enabled ? null : signedIn.refreshToken),
    }),
    refreshExpiresAt: t.field({
      type: 'DateTime',
      description: "The session's absolute end; it ends earlier when idle or revoked.",
      resolve: (signedIn) => signedIn.refreshExpiresAt,
    }),
    deviceToken: t.string({
      nullable: true,
      description:
        "Present it as `SignInInput.deviceToken` at this device's next sign-in: while it is trusted, attacks on the account cannot refuse that sign-in. Set by answers that verified the password (not refreshSession); null in cookie mode, where it is the HttpOnly `rekey_device` cookie (`__Secure-rekey_device` where Secure).",
      resolve: (signedIn, _args, { sessionCookie }) => (sessionCookie.enabled ? null : (signedIn.deviceToken ?? null)),
    }),
    user: t.field({ type: UserType, resolve: (signedIn) => signedIn.user }),
  };
}
