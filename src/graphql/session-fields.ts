import type { ObjectFieldBuilder, SchemaTypes } from '@pothos/core';
import type { Session } from '../accounts/account-service.ts';
import type { builder } from './builder.ts';
import { UserType } from './user.ts';

type Types = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T extends SchemaTypes> ? T : never;
type FieldBuilder = ObjectFieldBuilder<Types, Session>;

/** What every answer that signs someone in carries: AuthPayload and ChangePasswordSuccess. */
export function sessionFields(t: FieldBuilder) {
  return {
    token: t.exposeString('token', { description: 'Send as `Authorization: Bearer <token>`.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    user: t.field({ type: UserType, resolve: (session) => session.user }),
  };
}
