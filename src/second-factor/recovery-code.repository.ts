import { randomUUID } from 'node:crypto';
import type { Db } from '../db/orm.ts';

/** The `recovery_codes` table: keyed hashes of single-use codes. */
export class RecoveryCodeRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The account's codes become exactly these (older ones, used or not, stop working). */
  async replace(userId: number, codeHashes: string[]): Promise<void> {
    await this.removeAll(userId);
    for (const codeHash of codeHashes) {
      await this.#db.execute(`insert into "recovery_codes" ("id", "user_id", "code_hash") values (?, ?, ?)`, [randomUUID(), userId, codeHash]);
    }
  }

  /** Uses a code once: true for the one request that marks it used. */
  async use(userId: number, codeHash: string): Promise<boolean> {
    const rows = await this.#db.execute<{ id: string }[]>(
      `update "recovery_codes" set "used_at" = now() where "user_id" = ? and "code_hash" = ? and "used_at" is null returning "id"`,
      [userId, codeHash],
    );
    return rows.length === 1;
  }

  async countUnused(userId: number): Promise<number> {
    const [row] = await this.#db.execute<{ left: number | string }[]>(
      `select count(*) as "left" from "recovery_codes" where "user_id" = ? and "used_at" is null`,
      [userId],
    );
    return Number(row?.left ?? 0);
  }

  async removeAll(userId: number): Promise<void> {
    await this.#db.execute(`delete from "recovery_codes" where "user_id" = ?`, [userId]);
  }
}
