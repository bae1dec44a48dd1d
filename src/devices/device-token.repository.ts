import type { Db } from '../db/orm.ts';
import { User } from '../users/user.entity.ts';
import { executePrepared } from '../db/prepared-statement.ts';

type Row = Record<string, unknown>;

/** Why a device token stopped being trusted; kept in `voided_reason`. */
export type DeviceVoidReason =
  | 'failed_sign_ins'
  /** Every session of the account ended (a password change, sign-out everywhere, an operator…): its devices sign in afresh. */
  | 'sessions_revoked'
  /** The account has more devices than are kept: the least recently used go. */
  | 'device_limit';

/** A device token's row is trusted while not voided and not expired, by the database's clock. */
export const TRUSTED = (alias: string) => `(${alias}."voided_at" is null and ${alias}."expires_at" > now())`;

/** Every statement on the `device_tokens` table. */
export class DeviceTokenRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * The account behind a trusted device of `userId` whose email is `email`:
   * one primary-key read joined to the account. Null when the device is
   * unknown, voided, expired, another account's, or out of failed sign-ins.
   */
  async findTrusted(deviceId: string, userId: number, email: string, failureLimit: number): Promise<User | null> {
    const [row] = await executePrepared<Row[]>(
      this.#db,
      `select u.* from "device_tokens" d join "users" u on u."id" = d."user_id"
       where d."id" = ? and d."user_id" = ? and u."email" = ? and ${TRUSTED('d')} and d."failed_sign_ins" < ?`,
      [deviceId, userId, email, failureLimit],
    );
    return row === undefined ? null : this.#db.map(User, row);
  }

  /**
   * Counts a sign-in in advance as failed, unless the device is no longer
   * trusted or has no failure left; so however many run at once, at most
   * `failureLimit` reach bcrypt. Returns the count including this one, or null.
   */
  async reserveCheck(deviceId: string, failureLimit: number): Promise<number | null> {
    const [row] = await executePrepared<{ failed_sign_ins: number }[]>(
      this.#db,
      `update "device_tokens" d set "failed_sign_ins" = d."failed_sign_ins" + 1
       where d."id" = ? and ${TRUSTED('d')} and d."failed_sign_ins" < ?
       returning d."failed_sign_ins"`,
      [deviceId, failureLimit],
    );
    return row?.failed_sign_ins ?? null;
  }

  /** A successful sign-in: the count starts over and the device stays trusted for `ttlMs` more. */
  async succeeded(deviceId: string, ttlMs: number): Promise<void> {
    await executePrepared(
      this.#db,
      `update "device_tokens" set "failed_sign_ins" = 0, "last_used_at" = now(), "expires_at" = now() + make_interval(secs => ?) where "id" = ?`,
      [ttlMs / 1000, deviceId],
    );
  }

  /**
   * A new trusted device; beyond `keep` per account the least recently used
   * are voided. One statement: the update does not see the row its own
   * statement inserts, so it keeps the new device (the most recently used)
   * and the `keep` - 1 most recently used others.
   */
  async create(device: { id: string; userId: number; ttlMs: number; keep: number }): Promise<void> {
    await executePrepared(
      this.#db,
      `with "created" as (
         insert into "device_tokens" ("id", "user_id", "created_at", "last_used_at", "expires_at")
         values (?, ?, now(), now(), now() + make_interval(secs => ?))
       )
       update "device_tokens" set "voided_at" = now(), "voided_reason" = 'device_limit'
       where "id" in (
         select "id" from "device_tokens" d where d."user_id" = ? and ${TRUSTED('d')}
         order by d."last_used_at" desc, d."created_at" desc offset ?
       )`,
      [device.id, device.userId, device.ttlMs / 1000, device.userId, Math.max(0, device.keep - 1)],
    );
  }

  async void(deviceId: string, reason: DeviceVoidReason): Promise<void> {
    await executePrepared(
      this.#db,
      `update "device_tokens" set "voided_at" = now(), "voided_reason" = ? where "id" = ? and "voided_at" is null`,
      [reason, deviceId],
    );
  }

  /** Voids every trusted device of the account; returns how many. */
  async voidAllOf(userId: number, reason: DeviceVoidReason): Promise<number> {
    const rows = await executePrepared<{ id: string }[]>(
      this.#db,
      `update "device_tokens" d set "voided_at" = now(), "voided_reason" = ? where d."user_id" = ? and ${TRUSTED('d')} returning d."id"`,
      [reason, userId],
    );
    return rows.length;
  }

  /** Deletes devices voided or expired more than `retentionMs` ago; one idempotent statement. */
  async deleteEnded(retentionMs: number): Promise<number> {
    const rows = await executePrepared<{ id: string }[]>(
      this.#db,
      `delete from "device_tokens" where least(coalesce("voided_at", 'infinity'), "expires_at") < now() - make_interval(secs => ?) returning "id"`,
      [retentionMs / 1000],
    );
    return rows.length;
  }
}
