import type { Db } from '../db/orm.ts';
import { TRUSTED, type DeviceVoidReason } from '../devices/device-token.repository.ts';
import { SessionCache, type SessionRows } from './session-cache.ts';
import { Session } from './session.entity.ts';
import { User } from '../users/user.entity.ts';
import { executePrepared } from '../db/prepared-statement.ts';
import { unmanagedEntity } from '../db/unmanaged-entity.ts';

type Row = Record<string, unknown>;

/** Why a session ended; kept in `revoked_reason` (and, later, in its security event). */
export type RevocationReason =
  | 'signed_out'
  | 'signed_out_everywhere'
  | 'revoked'
  | 'password_changed'
  | 'refresh_token_reused'
  | 'session_limit'
  /** resetPassword: every session ends. */
  | 'password_reset'
  /** secureAccount ("This wasn't me"): every session ends. */
  | 'account_secured'
  /** An operator, through the admin CLI. */
  | 'admin'
  /** SESSION_FAILURE_LIMIT wrong current passwords in a row in changePassword. */
  | 'password_failures';

/**
 * A session is active while not revoked, before its absolute expiry and not
 * idle. Decided by the database's clock, so every instance agrees. The one
 * parameter is the idle timeout in seconds.
 */
export const ACTIVE = (alias: string) =>
  `(${alias}."revoked_at" is null and ${alias}."expires_at" > now() and ${alias}."last_active_at" + make_interval(secs => ?) > now())`;

const SESSION_COLUMNS = [
  'id',
  'user_id',
  'created_at',
  'last_active_at',
  'expires_at',
  'ip_address',
  'user_agent',
  'revoked_at',
  'revoked_reason',
  'generation',
  'failed_password_checks',
] as const;

const PREFIX = 'session__';

/**
 * `alias`'s session columns, each renamed with a prefix, for a statement
 * that also returns another table's columns (whose names overlap).
 */
export function prefixedSessionColumns(alias: string): string {
  return SESSION_COLUMNS.map((column) => `${alias}."${column}" as "${PREFIX}${column}"`).join(', ');
}

/** Splits a row read with prefixedSessionColumns (and extra prefixed columns) into the session's columns and the rest. */
export function splitSessionColumns(row: Row): { session: Row; rest: Row } {
  const session: Row = {};
  const rest: Row = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(PREFIX)) session[key.slice(PREFIX.length)] = value;
    else rest[key] = value;
  }
  return { session, rest };
}

/** What the per-request check reads: the account, and its session named by the token if it still has a row. */
export interface RequestSession {
  user: User | null;
  session: Session | null;
  active: boolean;
}

/** Every statement on the `sessions` table. */
export class SessionRepository {
  readonly #db: Db;
  readonly #idleSeconds: number;

  constructor(db: Db, idleTimeoutMs: number) {
    this.#db = db;
    this.#idleSeconds = idleTimeoutMs / 1000;
  }

  /**
   * The per-request check: ONE primary-key read of the account with its
   * session left-joined by primary key, both mapped to unmanaged entities
   * (nobody writes them back). No row: the account is gone. No session:
   * revoked long ago and swept, or not its own.
   * In embedded mode the answer may come from the session cache (see session-cache.ts).
   */
  async findForRequest(userId: number, sessionId: string): Promise<RequestSession> {
    const cache = SessionCache.of(this.#db);
    const rows =
      cache === null
        ? await this.#readForRequest(userId, sessionId, false)
        : await cache.lookup(userId, sessionId, () => this.#readForRequest(userId, sessionId, true));
    if (rows === null) return { user: null, session: null, active: false };
    const user = unmanagedEntity(this.#db, User, rows.user);
    if (rows.session === null) return { user, session: null, active: false };
    return { user, session: unmanagedEntity(this.#db, Session, rows.session), active: rows.active };
  }

  /** With `forCache`, also until when the session stays active (see SessionRows). */
  async #readForRequest(userId: number, sessionId: string, forCache: boolean): Promise<SessionRows | null> {
    const sessionColumns = prefixedSessionColumns('s');
    const activeUntil = forCache
      ? `, (extract(epoch from least(s."expires_at", s."last_active_at" + make_interval(secs => ?))) * 1000)::float8 as "${PREFIX}active_until"`
      : '';
    const [row] = await executePrepared<Row[]>(
      this.#db,
      `select u.*, ${sessionColumns}, ${ACTIVE('s')} as "${PREFIX}active"${activeUntil}
       from "users" u left join "sessions" s on s."id" = ? and s."user_id" = u."id"
       where u."id" = ?`,
      [this.#idleSeconds, ...(forCache ? [this.#idleSeconds] : []), sessionId, userId],
    );
    if (row === undefined) return null;
    const { session, rest: user } = splitSessionColumns(row);
    const { active, active_until: until, ...sessionRow } = session;
    if (sessionRow.id === null) return { user, session: null, active: false, activeUntilMs: null };
    return { user, session: sessionRow, active: active === true, activeUntilMs: active === true && until != null ? Number(until) : null };
  }

  async create(session: {
    id: string;
    userId: number;
    ttlMs: number;
    ipAddress: string | null;
    userAgent: string | null;
  }): Promise<Session> {
    const [row] = await executePrepared<Row[]>(
      this.#db,
      `insert into "sessions" ("id", "user_id", "created_at", "last_active_at", "expires_at", "ip_address", "user_agent", "generation")
       values (?, ?, now(), now(), now() + make_interval(secs => ?), ?, ?, 0)
       returning *`,
      [session.id, session.userId, session.ttlMs / 1000, session.ipAddress, session.userAgent],
    );
    return this.#db.map(Session, row as Row);
  }

  /** Revokes the account's active sessions beyond the `keep` most recently active; returns their ids. */
  async revokeBeyond(userId: number, keep: number, reason: RevocationReason): Promise<string[]> {
    const rows = await executePrepared<{ id: string }[]>(
      this.#db,
      `update "sessions" set "revoked_at" = now(), "revoked_reason" = ?
       where "id" in (
         select "id" from "sessions" s where s."user_id" = ? and ${ACTIVE('s')}
         order by s."last_active_at" desc, s."created_at" desc offset ?
       ) and "revoked_at" is null
       returning "id"`,
      [reason, userId, this.#idleSeconds, keep],
    );
    return rows.map((row) => row.id);
  }

  /** A refresh: marks the session active now, if it is still active at this generation. */
  async touch(sessionId: string, generation: number): Promise<Session | null> {
    const [row] = await executePrepared<Row[]>(
      this.#db,
      `update "sessions" s set "last_active_at" = now()
       where s."id" = ? and s."generation" = ? and ${ACTIVE('s')}
       returning *`,
      [sessionId, generation, this.#idleSeconds],
    );
    return row === undefined ? null : this.#db.map(Session, row);
  }

  /**
   * Raises the generation (the session's older access tokens die) if it is
   * still active at `generation`. A renewal follows a verified password, so
   * the count of wrong ones starts over.
   */
  async renew(sessionId: string, generation: number): Promise<Session | null> {
    const [row] = await executePrepared<Row[]>(
      this.#db,
      `update "sessions" s set "generation" = s."generation" + 1, "last_active_at" = now(), "failed_password_checks" = 0
       where s."id" = ? and s."generation" = ? and ${ACTIVE('s')}
       returning *`,
      [sessionId, generation, this.#idleSeconds],
    );
    return row === undefined ? null : this.#db.map(Session, row);
  }

  /**
   * Counts a changePassword check against the session in advance, if the
   * session is still active at `generation` and has a check left; returns the
   * count including this one, or null. However many run at once, at most
   * `limit` reach bcrypt.
   */
  async reservePasswordCheck(sessionId: string, generation: number, limit: number): Promise<number | null> {
    const [row] = await executePrepared<{ failed_password_checks: number }[]>(
      this.#db,
      `update "sessions" s set "failed_password_checks" = s."failed_password_checks" + 1
       where s."id" = ? and s."generation" = ? and ${ACTIVE('s')} and s."failed_password_checks" < ?
       returning s."failed_password_checks"`,
      [sessionId, generation, this.#idleSeconds, limit],
    );
    return row?.failed_password_checks ?? null;
  }

  /** The session's current password was right: its count of wrong ones starts over. */
  async clearPasswordFailures(sessionId: string): Promise<void> {
    await executePrepared(this.#db, `update "sessions" set "failed_password_checks" = 0 where "id" = ?`, [sessionId]);
  }

  /** Revokes one active session of the account; false when it is not one. */
  async revokeOwn(userId: number, sessionId: string, reason: RevocationReason): Promise<boolean> {
    const rows = await executePrepared<{ id: string }[]>(
      this.#db,
      `update "sessions" s set "revoked_at" = now(), "revoked_reason" = ?
       where s."id" = ? and s."user_id" = ? and ${ACTIVE('s')}
       returning "id"`,
      [reason, sessionId, userId, this.#idleSeconds],
    );
    return rows.length > 0;
  }

  /** Revokes a session whatever its owner, unless already revoked (a stolen refresh token). */
  async revoke(sessionId: string, reason: RevocationReason): Promise<boolean> {
    const rows = await executePrepared<{ id: string }[]>(
      this.#db,
      `update "sessions" set "revoked_at" = now(), "revoked_reason" = ? where "id" = ? and "revoked_at" is null returning "id"`,
      [reason, sessionId],
    );
    return rows.length > 0;
  }

  /** Revokes every active session of the account, but `exceptId`; returns the ids revoked. */
  async revokeAllOf(userId: number, reason: RevocationReason, exceptId: string | null = null): Promise<string[]> {
    const rows = await executePrepared<{ id: string }[]>(
      this.#db,
      `update "sessions" s set "revoked_at" = now(), "revoked_reason" = ?
       where s."user_id" = ? and s."id" <> ? and ${ACTIVE('s')}
       returning "id"`,
      [reason, userId, exceptId ?? '', this.#idleSeconds],
    );
    return rows.map((row) => row.id);
  }

  /**
   * revokeAllOf and, in the same statement, every trusted device token of
   * the account voided with `deviceReason` (a device signs in afresh once
   * its sessions ended): one round trip instead of two.
   */
  async revokeAllOfWithDevices(
    userId: number,
    reason: RevocationReason,
    deviceReason: DeviceVoidReason,
    exceptId: string | null = null,
  ): Promise<string[]> {
    const rows = await executePrepared<{ id: string }[]>(
      this.#db,
      `with "devices" as (
         update "device_tokens" d set "voided_at" = now(), "voided_reason" = ? where d."user_id" = ? and ${TRUSTED('d')}
       )
       update "sessions" s set "revoked_at" = now(), "revoked_reason" = ?
       where s."user_id" = ? and s."id" <> ? and ${ACTIVE('s')}
       returning "id"`,
      [deviceReason, userId, reason, userId, exceptId ?? '', this.#idleSeconds],
    );
    return rows.map((row) => row.id);
  }

  /** The account's active sessions, most recently active first. */
  async listActive(userId: number): Promise<Session[]> {
    const rows = await executePrepared<Row[]>(
      this.#db,
      `select * from "sessions" s where s."user_id" = ? and ${ACTIVE('s')} order by s."last_active_at" desc, s."created_at" desc`,
      [userId, this.#idleSeconds],
    );
    return rows.map((row) => this.#db.map(Session, row));
  }

  /**
   * Deletes sessions that ended more than `retentionMs` ago (their refresh
   * tokens go with them). One idempotent statement: several instances may
   * sweep at once. Returns how many were deleted.
   */
  async deleteEnded(retentionMs: number): Promise<number> {
    const rows = await executePrepared<{ id: string }[]>(
      this.#db,
      `delete from "sessions"
       where least(coalesce("revoked_at", 'infinity'), "expires_at", "last_active_at" + make_interval(secs => ?))
             < now() - make_interval(secs => ?)
       returning "id"`,
      [this.#idleSeconds, retentionMs / 1000],
    );
    return rows.length;
  }
}
