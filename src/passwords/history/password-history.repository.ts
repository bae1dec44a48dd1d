import type { Db } from '../../db/orm.ts';

/** The `password_history` table (see password-history.entity.ts): newest first, trimmed on every write. */
export class PasswordHistoryRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The hashes the account had before its current one, newest first. */
  async latest(userId: number, limit: number): Promise<string[]> {
    if (limit <= 0) return [];
    const rows = await this.#db.execute<{ password_hash: string }[]>(
      `select "password_hash" from "password_history" where "user_id" = ? order by "id" desc limit ?`,
      [userId, limit],
    );
    return rows.map((row) => row.password_hash);
  }

  /** Records a replaced hash and deletes all but the newest `keep` rows of the account. */
  async add(userId: number, passwordHash: string, keep: number): Promise<void> {
    await this.#db.execute(`insert into "password_history" ("user_id", "password_hash") values (?, ?)`, [userId, passwordHash]);
    await this.#db.execute(
      `delete from "password_history" where "user_id" = ? and "id" not in (
         select "id" from "password_history" where "user_id" = ? order by "id" desc limit ?)`,
      [userId, userId, keep],
    );
  }
}
