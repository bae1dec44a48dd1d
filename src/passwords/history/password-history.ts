import type { Db } from '../../db/orm.ts';
import { PasswordReusedError } from '../../errors/errors.ts';
import type { PasswordHasher } from '../hashing/password-hasher.ts';
import { PasswordHistoryRepository } from './password-history.repository.ts';
import { PasswordInHistoryError } from './password-in-history-error.ts';

/** The account whose password is about to change: its id and current hash. */
export interface HistoryAccount {
  id: number;
  password: string;
}

/**
 * PASSWORD_HISTORY=N: a new password must differ from the account's last N
 * (the current one included). The current hash lives in `users`; the N - 1
 * before it in `password_history`. Each comparison is a bcrypt compare (N - 1
 * extra per change, N when the current one is compared too), run concurrently
 * on the libuv pool, and only once every cheaper check has passed.
 */
export class PasswordHistory {
  readonly size: number;
  readonly #hasher: PasswordHasher;

  constructor(size: number, hasher: PasswordHasher) {
    this.size = size;
    this.#hasher = hasher;
  }

  /**
   * Throws PasswordReusedError when `newPassword` is the current password (only
   * when `compareCurrent`: changePassword has already told that without
   * bcrypt; a reset has not) and PasswordInHistoryError when it is one of the
   * older ones. The current password's answer wins when both would apply.
   */
  async ensureNotReused(db: Db, account: HistoryAccount, newPassword: string, { compareCurrent }: { compareCurrent: boolean }): Promise<void> {
    const older = await new PasswordHistoryRepository(db).latest(account.id, this.size - 1);
    const [current, ...matches] = await Promise.all([
      compareCurrent ? this.#matches(newPassword, account.password) : Promise.resolve(false),
      ...older.map((hash) => this.#matches(newPassword, hash)),
    ]);
    if (current) throw new PasswordReusedError();
    if (matches.some(Boolean)) throw new PasswordInHistoryError(this.size);
  }

  /** After the hash `replacedHash` was replaced (in the same transaction): keep it, and only the newest N - 1. */
  async remember(db: Db, userId: number, replacedHash: string): Promise<void> {
    if (this.size <= 1) return;
    await new PasswordHistoryRepository(db).add(userId, replacedHash, this.size - 1);
  }

  async #matches(password: string, hash: string): Promise<boolean> {
    return this.#hasher.matchesFormer(password, hash);
  }
}
