import type { Db } from '../db/orm.ts';
import type { User } from '../users/user.entity.ts';
import { UserRepository } from '../users/user.repository.ts';
import type { PasswordHistory } from './history/password-history.ts';

export interface NewCredential {
  userId: number;
  /** The hash that was checked: the replacement happens only if it is still the stored one. */
  expectedHash: string;
  newHash: string;
}

/**
 * The step every password replacement shares (change, reset, the admin
 * command), inside the caller's transaction: a compare-and-set of the hash
 * (which also clears the failure count and any block, and voids tokens of
 * the original login), and the replaced hash remembered for
 * PASSWORD_HISTORY. Null when another change won: the caller commits nothing.
 * Sessions are ended by the caller (SessionService.revokeEverywhere), since
 * each flow keeps a different session alive.
 */
export async function replaceCredential(tx: Db, history: PasswordHistory, change: NewCredential): Promise<User | null> {
  const user = await new UserRepository(tx).replacePassword(change);
  if (user === null) return null;
  await history.remember(tx, change.userId, change.expectedHash);
  return user;
}

/**
 * "This wasn't me": whatever the password is now, it becomes `unusableHash`
 * (of a secret nobody knows); the replaced one, perhaps an intruder's, counts
 * in PASSWORD_HISTORY so the owner cannot choose it again. Null when the
 * account is gone.
 */
export async function replaceWithUnusableCredential(tx: Db, history: PasswordHistory, userId: number, unusableHash: string): Promise<User | null> {
  const secured = await new UserRepository(tx).replaceWithUnusablePassword(userId, unusableHash);
  if (secured === null) return null;
  await history.remember(tx, userId, secured.replacedHash);
  return secured.user;
}
