import { User } from '../../users/user.entity.ts';
import { builder } from '../builder.ts';

export const UserType = builder.objectType(User, {
  name: 'User',
  fields: (t) => ({
    id: t.id({ resolve: (user) => String(user.id) }),
    email: t.exposeString('email'),
    emailVerified: t.exposeBoolean('emailVerified', {
      description: 'Whether the owner proved control of the address (a verification link, a confirmed change, a reset). Adopted and imported accounts count as verified.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    passwordChangedAt: t.field({ type: 'DateTime', nullable: true, resolve: (user) => user.passwordChangedAt ?? null }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: UserType,
    nullable: true,
    description: 'The signed-in account; null without a valid token.',
    resolve: (_root, _args, { auth }) => auth.user(),
  }),
);
