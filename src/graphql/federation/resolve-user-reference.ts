import { GraphQLError } from 'graphql';
import type { User } from '../../users/user.entity.ts';
import type { GraphQLContext } from '../context.ts';
import { ForeignUserReference } from './foreign-user-reference.ts';

/**
 * One `_entities` representation → the User it names, as far as the caller
 * may see it. Only the viewer's own reference resolves to the account; any
 * other id, existing or not, becomes a bare reference whose fields other than
 * `id` are null, so `_entities` tells nothing about other accounts (not even
 * whether the id exists). Fields of the representation other than
 * `__typename` and `id` are never read, whatever the gateway sends.
 */
export async function resolveUserReference(
  representation: unknown,
  { auth }: GraphQLContext,
): Promise<User | ForeignUserReference | GraphQLError> {
  const { __typename: typename, id } = (typeof representation === 'object' && representation !== null ? representation : {}) as {
    __typename?: unknown;
    id?: unknown;
  };
  if (typename !== 'User' || (typeof id !== 'string' && typeof id !== 'number')) {
    return new GraphQLError('Rekey resolves only `User` references by `id`.', { extensions: { code: 'BAD_REPRESENTATION' } });
  }
  const viewer = await auth.user();
  return viewer && String(viewer.id) === String(id) ? viewer : new ForeignUserReference(String(id));
}
