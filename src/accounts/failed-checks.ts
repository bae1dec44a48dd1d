import type { Db } from '../db/orm.ts';

export interface LockoutSettings {
  /** Consecutive failed password checks before the account is blocked. */
  threshold: number;
  /** The first block's length; each further block doubles it. */
  baseSeconds: number;
}

export type CheckSlot = { granted: true; reservedCount: number } | { granted: false; retryAfterSeconds: number };

/** Blocks stop doubling after this many (15 min × 2^16 is over a year). */
const MAX_DOUBLINGS = 16;
/** The end of the block about to start: base × 2^(blocks so far). Parameters: base seconds, MAX_DOUBLINGS. */
const BLOCK_END = `now() + make_interval(secs => ? * power(2, least("lockouts", ?)))`;

/**
 * NIST SP 800-63B throttling: at most `threshold` consecutive failed password
 * checks per account, then a growing cool-down. Kept in the database and
 * counted atomically, so it holds across instances without Redis.
 *
 * A check first reserves a slot by counting itself as a failure; a success
 * resets the count. So however many checks run at once, no more than
 * `threshold` reach bcrypt. The reservation that takes the last slot also
 * starts the block provisionally: should that check never settle (a crash, a
 * database error), the block still ends and the count starts over, instead
 * of the account staying refused for good.
 */
export class FailedChecks {
  readonly #db: Db;
  readonly #settings: LockoutSettings;

  constructor(db: Db, settings: LockoutSettings) {
    this.#db = db;
    this.#settings = settings;
  }

  async reserve(userId: number): Promise<CheckSlot> {
    const reserved = (await this.#reserveStatement(userId))[0];
    if (reserved) return { granted: true, reservedCount: reserved.failed_password_checks };
    const [state] = await this.#db.execute<{ wait: number | null }[]>(
      `select extract(epoch from ("locked_until" - now()))::float8 as "wait" from "users" where "id" = ?`,
      [userId],
    );
    return { granted: false, retryAfterSeconds: Math.max(1, Math.ceil(state?.wait ?? 1)) };
  }

  /**
   * For an email with no account: the same statement, matching no row, so
   * that sign-in spends the same database round trip either way.
   */
  async reserveDecoy(): Promise<void> {
    await this.#reserveStatement(0);
  }

  #reserveStatement(userId: number) {
    const { threshold, baseSeconds } = this.#settings;
    // After an expired block the count starts over at this check.
    const counted = `(case when "failed_password_checks" >= ? then 1 else "failed_password_checks" + 1 end)`;
    return this.#db.execute<{ failed_password_checks: number }[]>(
      `update "users" set "failed_password_checks" = ${counted},
         "locked_until" = case when ${counted} >= ? then ${BLOCK_END} else "locked_until" end
        where "id" = ? and ("locked_until" is null or "locked_until" <= now())
        returning "failed_password_checks"`,
      [threshold, threshold, threshold, baseSeconds, MAX_DOUBLINGS, userId],
    );
  }

  /** After a failed check: the one that used the last slot starts the block (and returns true). */
  async failed(userId: number, slot: { reservedCount: number }): Promise<boolean> {
    if (slot.reservedCount < this.#settings.threshold) return false;
    await this.#db.execute(
      `update "users" set "failed_password_checks" = 0, "lockouts" = "lockouts" + 1, "locked_until" = ${BLOCK_END}
       where "id" = ?`,
      [this.#settings.baseSeconds, MAX_DOUBLINGS, userId],
    );
    return true;
  }

  async succeeded(userId: number): Promise<void> {
    await this.#db.execute(
      `update "users" set "failed_password_checks" = 0, "lockouts" = 0, "locked_until" = null where "id" = ?`,
      [userId],
    );
  }
}
