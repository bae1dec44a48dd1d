import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../db/orm.ts';
import type { AccountTokenPurpose } from './account-token.entity.ts';

export interface MintedToken {
  id: string;
  /** The raw token: goes into one email link and nowhere else. */
  token: string;
  expiresAt: Date;
}

/** What is stored for a token: its SHA-256 (a 256-bit random token needs no slow hash). */
export function hashAccountToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** What mint() makes: 32 random bytes, base64url (43 characters). Anything else is refused before any lookup. */
export function isWellFormedAccountToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

/**
 * Unused, unexpired, and for a reset link or a change of address, made
 * after the account's last password change: any change (GraphQL, the REST
 * route, a reset, the admin CLI, secureAccount) voids the reset links and
 * pending changes of address requested before it, wherever it was made. A
 * verification link works only for the address it was sent to. A "This
 * wasn't me" link survives later changes: an intruder who changes the
 * password (or the address) again must not be able to kill the owner's link.
 * Aliases: `t` the token, `u` its account.
 */
const REDEEMABLE = `t."used_at" is null and t."expires_at" > now()
  and (t."purpose" not in ('password_reset', 'email_change') or u."password_changed_at" is null
       or t."created_at" >= date_trunc('milliseconds', u."password_changed_at"))
  and (t."purpose" <> 'email_verification' or t."email" = u."email")`;

/** Purposes of which only the newest unused token works: a new one voids the older ones. */
const ONE_AT_A_TIME: readonly AccountTokenPurpose[] = ['password_reset', 'email_verification', 'email_change'];

/** A token used up: its account and the address it is about (see AccountToken.email). */
export interface ConsumedToken {
  userId: number;
  email: string | null;
}

/** The `account_tokens` table: single-use tokens for email links, stored only as hashes. */
export class AccountTokenRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * A new token of `purpose` for the account, valid for `ttlMs`, about
   * `email` (see AccountToken.email). A new reset, verification or
   * change-of-address token voids the account's older unused ones of its purpose. The token is
   * dated `requestedAt` (when its event happened, not when its email went
   * out), so a password change made between the request and a late delivery
   * still voids the link it carries.
   */
  async mint(userId: number, purpose: AccountTokenPurpose, ttlMs: number, requestedAt: Date, email: string | null = null): Promise<MintedToken> {
    const token = randomBytes(32).toString('base64url');
    const id = randomUUID();
    return this.#db.transactional(async (tx) => {
      if (ONE_AT_A_TIME.includes(purpose)) {
        await tx.execute(`update "account_tokens" set "used_at" = now() where "user_id" = ? and "purpose" = ? and "used_at" is null`, [
          userId,
          purpose,
        ]);
      }
      const [row] = await tx.execute<{ expires_at: Date | string }[]>(
        `insert into "account_tokens" ("id", "user_id", "purpose", "token_hash", "email", "created_at", "expires_at")
         values (?, ?, ?, ?, ?, ?, now() + make_interval(secs => ?)) returning "expires_at"`,
        [id, userId, purpose, hashAccountToken(token), email, requestedAt, ttlMs / 1000],
      );
      if (row === undefined) throw new Error('Inserting an account token returned no row');
      return { id, token, expiresAt: new Date(row.expires_at) };
    });
  }

  /** Removes a token that was never sent (its email failed), so no unsendable token stays valid. */
  async discard(id: string): Promise<void> {
    await this.#db.execute(`delete from "account_tokens" where "id" = ? and "used_at" is null`, [id]);
  }

  /**
   * The account a token belongs to if it is of `purpose` and still valid
   * (see REDEEMABLE), without using it: a request that fails a cheaper check
   * afterwards (a weak new password) leaves the link working.
   */
  async find(purpose: AccountTokenPurpose, token: string): Promise<number | null> {
    const [row] = await this.#db.execute<{ user_id: number }[]>(
      `select t."user_id" from "account_tokens" t join "users" u on u."id" = t."user_id"
       where t."token_hash" = ? and t."purpose" = ? and ${REDEEMABLE}`,
      [hashAccountToken(token), purpose],
    );
    return row?.user_id ?? null;
  }

  /**
   * Uses a token once: the account it belongs to if it is of `purpose` and
   * still valid (see REDEEMABLE); null otherwise. Call inside the transaction
   * of the change the token allows: of two concurrent uses, one gets the row.
   */
  async consume(purpose: AccountTokenPurpose, token: string): Promise<number | null> {
    return (await this.consumeWithEmail(purpose, token))?.userId ?? null;
  }

  /** consume(), with the address the token is about. */
  async consumeWithEmail(purpose: AccountTokenPurpose, token: string): Promise<ConsumedToken | null> {
    const [row] = await this.#db.execute<{ user_id: number; email: string | null }[]>(
      `update "account_tokens" t set "used_at" = now() from "users" u
       where u."id" = t."user_id" and t."token_hash" = ? and t."purpose" = ? and ${REDEEMABLE}
       returning t."user_id", t."email"`,
      [hashAccountToken(token), purpose],
    );
    return row === undefined ? null : { userId: Number(row.user_id), email: row.email };
  }

  /**
   * Marks the account's unused links of `purposes` as used: a confirmed
   * change of address voids the reset, verification and change links sent
   * before it (not the "This wasn't me" ones, which must be able to undo it).
   */
  async voidUnused(userId: number, purposes: readonly AccountTokenPurpose[]): Promise<void> {
    await this.#db.execute(
      `update "account_tokens" set "used_at" = now() where "user_id" = ? and "used_at" is null and "purpose" in (${purposes.map(() => '?').join(', ')})`,
      [userId, ...purposes],
    );
  }

  /**
   * Marks every unused token of the account as used, whatever its purpose: a
   * completed reset or "This wasn't me" leaves no older link that could undo it.
   */
  async voidAllUnused(userId: number): Promise<void> {
    await this.#db.execute(`update "account_tokens" set "used_at" = now() where "user_id" = ? and "used_at" is null`, [userId]);
  }

  /**
   * Housekeeping: deletes up to `batch` tokens that expired more than
   * `graceMs` ago (used ones included: every token expires within days).
   * SKIP LOCKED, so instances sweeping at once share the work. Returns how many.
   */
  async deleteExpired(graceMs: number, batch: number): Promise<number> {
    const rows = await this.#db.execute<{ id: string }[]>(
      `delete from "account_tokens" where "id" in (
         select "id" from "account_tokens" where "expires_at" < now() - make_interval(secs => ?)
         limit ? for update skip locked)
       returning "id"`,
      [graceMs / 1000, batch],
    );
    return rows.length;
  }
}
