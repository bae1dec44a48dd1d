import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../db/orm.ts';
import { EmailTakenError } from '../errors/errors.ts';
import { User } from './user.entity.ts';
import { executePrepared } from '../db/prepared-statement.ts';

/** What the failure counter needs to know; see FailedChecks for the policy. */
export interface BlockSettings {
  /** Failed checks within `windowSeconds` that start a block. */
  threshold: number;
  /** The first block's length; each further block doubles it, up to `maxSeconds`. */
  baseSeconds: number;
  maxSeconds: number;
  /** Failures (and blocks) older than this no longer count. */
  windowSeconds: number;
}

/** Which accounts `listPage` returns; null filters are off. */
export interface UserListFilter {
  afterId: number;
  limit: number;
  /** Lower-cased, as addresses are stored. */
  emailContains: string | null;
  createdFrom: Date | null;
  createdBefore: Date | null;
  disabled: boolean | null;
}

/** Blocks stop doubling after this many (far past any sensible cap). */
const MAX_DOUBLINGS = 16;
/** The streak started longer than the window ago: its failures and blocks no longer count. Parameter: window seconds. */
const STALE = `("failures_since" is null or "failures_since" <= now() - make_interval(secs => ?))`;
/**
 * The end of a block starting now: base × 2^(blocks so far in the window),
 * capped. Parameters (blockEndParams): base seconds, window seconds, MAX_DOUBLINGS, max seconds.
 */
const BLOCK_END = `now() + least(
  make_interval(secs => ? * power(2, least(case when ${STALE} then 0 else "lockouts" end, ?))),
  make_interval(secs => ?))`;
const blockEndParams = ({ windowSeconds, baseSeconds, maxSeconds }: BlockSettings) => [
  baseSeconds,
  windowSeconds,
  MAX_DOUBLINGS,
  maxSeconds,
];

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
    const [row] = await executePrepared<Record<string, unknown>[]>(this.#db, 'select * from "users" where "id" = ?', [id]);
    return row === undefined ? null : this.#db.map(User, row);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.#db.findOne(User, { email });
  }

  /**
   * The account with `email` or, when there is none, some other account to
   * stand in for it (the oldest), in one plain query either way, so both
   * answers cost the same; null only when there is no account at all.
   * For work that must look the same whether an email is registered or not.
   */
  async findOrStandIn(email: string): Promise<{ id: number; found: boolean } | null> {
    const [row] = await executePrepared<{ id: number; found: boolean }[]>(
      this.#db,
      `select "id", "found" from (
         select "id", true as "found", 0 as "rank" from "users" where "email" = ?
         union all
         (select "id", false, 1 from "users" order by "id" limit 1)
       ) as "candidates" order by "rank" limit 1`,
      [email],
    );
    return row === undefined ? null : { id: Number(row.id), found: row.found === true };
  }

  /**
   * findOrStandIn for an account whose address is not verified yet: a
   * verified account is answered like an unknown email (a stand-in), so the
   * work does not tell the two apart either.
   */
  async findUnverifiedOrStandIn(email: string): Promise<{ id: number; found: boolean } | null> {
    const [row] = await executePrepared<{ id: number; found: boolean }[]>(
      this.#db,
      `select "id", "found" from (
         select "id", true as "found", 0 as "rank" from "users" where "email" = ? and not "email_verified"
         union all
         (select "id", false, 1 from "users" order by "id" limit 1)
       ) as "candidates" order by "rank" limit 1`,
      [email],
    );
    return row === undefined ? null : { id: Number(row.id), found: row.found === true };
  }

  /** The highest bcrypt cost stored, and whether any hash may be of an un-normalised password (docs/design/timing-parity.md). */
  async slowestStoredHash(): Promise<{ cost: number; unnormalized: boolean }> {
    const [row] = await this.#db.execute<{ cost: number | null; unnormalized: boolean | null }[]>(
      `select max(substring("password" from 5 for 2)::int) filter (where "password" ~ '^\\$2[abxy]\\$[0-9]{2}\\$') as "cost",
              bool_or(not "password_normalized") as "unnormalized"
         from "users"`,
    );
    return { cost: Number(row?.cost ?? 0), unnormalized: row?.unnormalized === true };
  }

  /**
   * Inserts accounts brought from another system, their hashes as they were
   * (not known to be of the NFC form); an address already taken is left
   * alone. Returns the accounts inserted.
   */
  async importMany(accounts: readonly { email: string; hash: string }[]): Promise<{ id: number; email: string }[]> {
    if (accounts.length === 0) return [];
    const now = new Date();
    const rows = await this.#db.execute<{ id: number; email: string }[]>(
      `insert into "users" ("email", "password", "password_normalized", "created_at", "legacy_tokens_valid_after")
       values ${accounts.map(() => '(?, ?, false, ?, ?)').join(', ')}
       on conflict ("email") do nothing returning "id", "email"`,
      accounts.flatMap((account) => [account.email, account.hash, now, legacyTokensValidAfterCreation(now)]),
    );
    return rows.map((row) => ({ id: Number(row.id), email: row.email }));
  }

  /** Which of `emails` have an account. */
  async existingEmails(emails: readonly string[]): Promise<Set<string>> {
    if (emails.length === 0) return new Set();
    const rows = await this.#db.execute<{ email: string }[]>(
      `select "email" from "users" where "email" in (${emails.map(() => '?').join(', ')})`,
      [...emails],
    );
    return new Set(rows.map((row) => row.email));
  }

  async emailTaken(email: string): Promise<boolean> {
    return (await this.#db.count(User, { email })) > 0;
  }

  /** Inserts an account; EmailTakenError when the email is taken (the unique index decides between concurrent sign-ups). */
  async add(email: string, passwordHash: string): Promise<User> {
    // Nobody has proved the address yet (docs/api/email-address.md).
    const createdAt = new Date();
    const user = this.#db.create(User, {
      email,
      password: passwordHash,
      passwordNormalized: true,
      emailVerified: false,
      createdAt,
      legacyTokensValidAfter: legacyTokensValidAfterCreation(createdAt),
    });
    try {
      await this.#db.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw error;
    }
    return user;
  }

  /**
   * Compare-and-set: replaces the hash only if it is still `expectedHash`
   * and clears the failure count. Of two concurrent changes one wins; the
   * other gets null. Returns the row as written. Tokens from the original
   * login issued until now die with the old password (see voidLegacyTokens).
   * (Sessions are revoked in the same transaction by the session service.)
   */
  async replacePassword(change: { userId: number; expectedHash: string; newHash: string }): Promise<User | null> {
    const [updated] = await executePrepared<Record<string, unknown>[]>(
      this.#db,
      `update "users" set "password" = ?, "password_normalized" = true, "password_changed_at" = now(), "updated_at" = now(),
         "legacy_tokens_valid_after" = now(),
         "failed_password_checks" = 0, "lockouts" = 0, "locked_until" = null, "failures_since" = null
       where "id" = ? and "password" = ?
       returning *`,
      [change.newHash, change.userId, change.expectedHash],
    );
    return updated === undefined ? null : this.#db.map(User, updated);
  }

  /**
   * "This wasn't me": whatever the password is now, it is replaced by
   * `unusableHash` (of a random secret nobody knows), unconditionally; tokens
   * from the original login die, and the failure count and any block are
   * cleared (it is a way out of a lockout). Returns the account as written
   * and the hash it replaced, or null when the account is gone.
   */
  async replaceWithUnusablePassword(userId: number, unusableHash: string): Promise<{ user: User; replacedHash: string } | null> {
    const [row] = await executePrepared<(Record<string, unknown> & { replaced_hash: string })[]>(
      this.#db,
      `with "before" as (select "id", "password" from "users" where "id" = ? for update)
       update "users" u set "password" = ?, "password_normalized" = true, "password_changed_at" = now(), "updated_at" = now(),
         "legacy_tokens_valid_after" = now(),
         "failed_password_checks" = 0, "lockouts" = 0, "locked_until" = null, "failures_since" = null
       from "before" b where u."id" = b."id"
       returning u.*, b."password" as "replaced_hash"`,
      [userId, unusableHash],
    );
    if (row === undefined) return null;
    const { replaced_hash: replacedHash, ...columns } = row;
    return { user: this.#db.map(User, columns), replacedHash };
  }

  /**
   * Tokens from the original login workflow issued up to now (the same
   * second included) stop working for good: a reset, "sign out everywhere",
   * secureAccount. A password change does this in replacePassword's statement.
   */
  async voidLegacyTokens(userId: number): Promise<void> {
    await executePrepared(this.#db, `update "users" set "legacy_tokens_valid_after" = now() where "id" = ?`, [userId]);
  }

  /** The address is proved (a verification link for `email`, a completed reset): false when the account's address is no longer `email`. */
  async markEmailVerified(userId: number, email: string): Promise<boolean> {
    const rows = await this.#db.execute<{ id: number }[]>(
      `update "users" set "email_verified" = true, "updated_at" = now() where "id" = ? and "email" = ? returning "id"`,
      [userId, email],
    );
    return rows.length > 0;
  }

  /**
   * A confirmed change of address: the new one, proved by its link, and the
   * tokens of the original login (which name the account by its address) die.
   * Null when the account is gone; EmailTakenError when another account holds
   * the address (the unique index decides between concurrent confirmations).
   */
  async changeEmail(userId: number, newEmail: string): Promise<User | null> {
    try {
      const [row] = await this.#db.execute<Record<string, unknown>[]>(
        `update "users" set "email" = ?, "email_verified" = true, "legacy_tokens_valid_after" = now(), "updated_at" = now()
         where "id" = ? returning *`,
        [newEmail, userId],
      );
      return row === undefined ? null : this.#db.map(User, row);
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw error;
    }
  }

  /**
   * "This wasn't me" on a change-of-address notice: back to the old address
   * unless another account took it meanwhile (then the address stays as it
   * is). Returns whether it went back.
   */
  async revertEmail(userId: number, oldEmail: string): Promise<boolean> {
    const rows = await this.#db.execute<{ id: number }[]>(
      `update "users" set "email" = ?, "email_verified" = true, "legacy_tokens_valid_after" = now(), "updated_at" = now()
       where "id" = ? and "email" <> ? and not exists (select 1 from "users" "other" where "other"."email" = ?) returning "id"`,
      [oldEmail, userId, oldEmail, oldEmail],
    );
    return rows.length > 0;
  }

  /** Locks the account's row for the rest of the transaction; false when it is gone. */
  async lock(userId: number): Promise<boolean> {
    const rows = await this.#db.execute<{ id: number }[]>(`select "id" from "users" where "id" = ? for update`, [userId]);
    return rows.length > 0;
  }

  /** Deletes the account; its sessions, tokens and history go with it (foreign keys), its events lose it. */
  async delete(userId: number): Promise<boolean> {
    const rows = await this.#db.execute<{ id: number }[]>(`delete from "users" where "id" = ? returning "id"`, [userId]);
    return rows.length > 0;
  }

  /** A transparent rehash (higher cost, normalised input): only if nobody changed the hash meanwhile. */
  async upgradeHash(userId: number, expectedHash: string, newHash: string): Promise<void> {
    await this.#db.nativeUpdate(User, { id: userId, password: expectedHash }, { password: newHash, passwordNormalized: true });
  }

  /**
   * Counts a password check as a failure in advance, unless the account is
   * blocked. The check that reaches the threshold also starts a provisional
   * block, so a check that never settles cannot leave the account open or
   * shut for good. Returns the count including this check, or null when blocked.
   * With `userId` 0 it matches no row: the same round trip for an unknown email.
   */
  async reserveCheck(userId: number, settings: BlockSettings): Promise<number | null> {
    const { threshold, windowSeconds } = settings;
    // A streak older than the window, or one that already ended in a block, starts over at this check.
    const restart = `(${STALE} or "failed_password_checks" >= ?)`;
    const counted = `(case when ${restart} then 1 else "failed_password_checks" + 1 end)`;
    const [row] = await executePrepared<{ failed_password_checks: number }[]>(
      this.#db,
      `update "users" set
         "failed_password_checks" = ${counted},
         "locked_until" = case when ${counted} >= ? then ${BLOCK_END} else "locked_until" end,
         "lockouts" = case when ${STALE} then 0 else "lockouts" end,
         "failures_since" = case when ${restart} then now() else "failures_since" end
        where "id" = ? and ("locked_until" is null or "locked_until" <= now())
        returning "failed_password_checks"`,
      [
        ...[windowSeconds, threshold],
        ...[windowSeconds, threshold, threshold, ...blockEndParams(settings)],
        windowSeconds,
        ...[windowSeconds, threshold],
        userId,
      ],
    );
    return row?.failed_password_checks ?? null;
  }

  /** Seconds until the account's block ends (at least 1). */
  async blockSecondsLeft(userId: number): Promise<number> {
    const [state] = await executePrepared<{ wait: number | null }[]>(
      this.#db,
      `select extract(epoch from ("locked_until" - now()))::float8 as "wait" from "users" where "id" = ?`,
      [userId],
    );
    return Math.max(1, Math.ceil(state?.wait ?? 1));
  }

  /** Starts a block (base × 2^(blocks so far in the window), capped) and starts the count over. */
  async startBlock(userId: number, settings: BlockSettings): Promise<void> {
    await executePrepared(
      this.#db,
      `update "users" set "failed_password_checks" = 0, "locked_until" = ${BLOCK_END},
         "lockouts" = case when ${STALE} then 1 else "lockouts" + 1 end
       where "id" = ?`,
      [...blockEndParams(settings), settings.windowSeconds, userId],
    );
  }

  async clearFailures(userId: number): Promise<void> {
    await executePrepared(
      this.#db,
      `update "users" set "failed_password_checks" = 0, "lockouts" = 0, "locked_until" = null, "failures_since" = null where "id" = ?`,
      [userId],
    );
  }

  /**
   * One page of accounts for an operator, oldest first, after the id `afterId`
   * (keyset paging: stable while accounts are added). Filters: a substring of
   * the address, a creation range, disabled or not.
   */
  async listPage(filter: UserListFilter): Promise<User[]> {
    const conditions = ['"id" > ?'];
    const params: unknown[] = [filter.afterId];
    if (filter.emailContains !== null) {
      conditions.push('strpos("email", ?) > 0');
      params.push(filter.emailContains);
    }
    if (filter.createdFrom !== null) {
      conditions.push('"created_at" >= ?');
      params.push(filter.createdFrom);
    }
    if (filter.createdBefore !== null) {
      conditions.push('"created_at" < ?');
      params.push(filter.createdBefore);
    }
    if (filter.disabled !== null) conditions.push(filter.disabled ? '"disabled_at" is not null' : '"disabled_at" is null');
    const rows = await this.#db.execute<Record<string, unknown>[]>(
      `select * from "users" where ${conditions.join(' and ')} order by "id" limit ?`,
      [...params, filter.limit],
    );
    return rows.map((row) => this.#db.map(User, row));
  }

  /** Sets or clears `disabled_at`; false when it already was so (nothing changed). */
  async setDisabled(userId: number, disabled: boolean): Promise<boolean> {
    const rows = await this.#db.execute<{ id: number }[]>(
      disabled
        ? `update "users" set "disabled_at" = now(), "updated_at" = now() where "id" = ? and "disabled_at" is null returning "id"`
        : `update "users" set "disabled_at" = null, "updated_at" = now(), "failed_password_checks" = 0, "lockouts" = 0,
             "locked_until" = null, "failures_since" = null
           where "id" = ? and "disabled_at" is not null returning "id"`,
      [userId],
    );
    return rows.length > 0;
  }
}

/**
 * `legacy_tokens_valid_after` of a row Rekey inserts at `createdAt`. A token
 * of the original login names an address, not an account: one issued before
 * this row existed was issued to an earlier account with the address (deleted
 * since), never to this one, so it is void. Just before the second of
 * creation, since `iat` has whole seconds: a token the original login issues
 * in that second still works.
 */
function legacyTokensValidAfterCreation(createdAt: Date): Date {
  return new Date(Math.floor(createdAt.getTime() / 1000) * 1000 - 1);
}
