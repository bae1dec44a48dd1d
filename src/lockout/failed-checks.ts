import type { BlockSettings, UserRepository } from '../users/user.repository.ts';

export type LockoutSettings = BlockSettings;

export type CheckSlot = { granted: true; reservedCount: number } | { granted: false; retryAfterSeconds: number };

/**
 * NIST SP 800-63B throttling: at most `threshold` consecutive failed password
 * checks per account within `windowSeconds`, then a cool-down that doubles
 * with each block in the window, capped at `maxSeconds` so that strangers
 * cannot shut an owner out for long. Kept in the database and counted
 * atomically, so it holds across instances without Redis.
 *
 * A check first reserves a slot by counting itself as a failure; a success
 * resets the count. So however many checks run at once, no more than
 * `threshold` reach bcrypt. The reservation that takes the last slot also
 * starts the block provisionally: should that check never settle (a crash, a
 * database error), the block still ends and the count starts over, instead
 * of the account staying refused for good.
 */
export class FailedChecks {
  readonly #users: UserRepository;
  readonly #settings: LockoutSettings;

  constructor(users: UserRepository, settings: LockoutSettings) {
    this.#users = users;
    this.#settings = settings;
  }

  async reserve(userId: number): Promise<CheckSlot> {
    const reservedCount = await this.#users.reserveCheck(userId, this.#settings);
    if (reservedCount !== null) return { granted: true, reservedCount };
    return { granted: false, retryAfterSeconds: await this.#users.blockSecondsLeft(userId) };
  }

  /**
   * For an email with no account: the same statement, matching no row, so
   * that sign-in spends the same database round trip either way.
   */
  async reserveDecoy(): Promise<void> {
    await this.#users.reserveCheck(0, this.#settings);
  }

  /** After a failed check: the one that used the last slot starts the block (and returns true). */
  async failed(userId: number, slot: { reservedCount: number }): Promise<boolean> {
    if (slot.reservedCount < this.#settings.threshold) return false;
    await this.#users.startBlock(userId, this.#settings);
    return true;
  }

  async succeeded(userId: number): Promise<void> {
    await this.#users.clearFailures(userId);
  }
}
