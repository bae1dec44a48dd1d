import type { User } from './user.entity.ts';

/** An operator disabled the account (`users disable`): it cannot sign in until enabled. */
export function isDisabled(user: Pick<User, 'disabledAt'>): boolean {
  return user.disabledAt !== null && user.disabledAt !== undefined;
}
