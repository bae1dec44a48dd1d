import type { Db } from '../db/orm.ts';

export interface StoredTotpFactor {
  secretCiphertext: string;
  confirmed: boolean;
}

/** The `totp_factors` table (one row per account). Every step update is one statement, so a code is accepted once however many requests race. */
export class TotpFactorRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async find(userId: number): Promise<StoredTotpFactor | null> {
    const [row] = await this.#db.execute<{ secret_ciphertext: string; confirmed_at: Date | string | null }[]>(
      `select "secret_ciphertext", "confirmed_at" from "totp_factors" where "user_id" = ?`,
      [userId],
    );
    return row ? { secretCiphertext: row.secret_ciphertext, confirmed: row.confirmed_at !== null } : null;
  }

  async isConfirmed(userId: number): Promise<boolean> {
    const [row] = await this.#db.execute<{ on: boolean }[]>(
      `select true as "on" from "totp_factors" where "user_id" = ? and "confirmed_at" is not null`,
      [userId],
    );
    return row !== undefined;
  }

  /** A new pending secret, replacing a pending one; false when TOTP is already on (a confirmed row is left alone). */
  async savePending(userId: number, secretCiphertext: string): Promise<boolean> {
    const rows = await this.#db.execute<{ user_id: number }[]>(
      `insert into "totp_factors" ("user_id", "secret_ciphertext") values (?, ?)
       on conflict ("user_id") do update set "secret_ciphertext" = excluded."secret_ciphertext", "last_used_step" = null, "created_at" = now()
       where "totp_factors"."confirmed_at" is null
       returning "user_id"`,
      [userId, secretCiphertext],
    );
    return rows.length === 1;
  }

  /**
   * Accepts the code of `step` once: true if no code of this step or a later
   * one was accepted before. `confirming` turns a pending factor on; otherwise
   * only a confirmed one counts.
   */
  async useStep(userId: number, step: number, { confirming }: { confirming: boolean }): Promise<boolean> {
    const rows = await this.#db.execute<{ user_id: number }[]>(
      `update "totp_factors" set "last_used_step" = ?, "confirmed_at" = coalesce("confirmed_at", ${confirming ? 'now()' : 'null'})
       where "user_id" = ? and ("last_used_step" is null or "last_used_step" < ?)
         and "confirmed_at" is ${confirming ? '' : 'not'} null
       returning "user_id"`,
      [step, userId, step],
    );
    return rows.length === 1;
  }

  /** Turns TOTP off (pending or on); true if there was something to remove. */
  async remove(userId: number): Promise<boolean> {
    const rows = await this.#db.execute<{ user_id: number }[]>(`delete from "totp_factors" where "user_id" = ? returning "user_id"`, [userId]);
    return rows.length === 1;
  }
}
