import type { Db } from '../db/orm.ts';
import { Session } from './session.entity.ts';
import { ACTIVE } from './session.repository.ts';

type Row = Record<string, unknown>;

/** A presented refresh token as stored, with its session. */
export interface StoredRefreshToken {
  session: Session;
  /** Whether the session is still active (not revoked, expired or idle). */
  sessionActive: boolean;
  /** Milliseconds since it was traded in; null while unused. */
  usedMsAgo: number | null;
}

/** Every statement on the `refresh_tokens` table. */
export class RefreshTokenRepository {
  readonly #db: Db;
  readonly #idleSeconds: number;

  constructor(db: Db, idleTimeoutMs: number) {
    this.#db = db;
    this.#idleSeconds = idleTimeoutMs / 1000;
  }

  async add(tokenHash: string, sessionId: string): Promise<void> {
    await this.#db.execute(`insert into "refresh_tokens" ("token_hash", "session_id", "created_at") values (?, ?, now())`, [tokenHash, sessionId]);
  }

  /** One statement: the token by its hash, joined with its session. */
  async find(tokenHash: string): Promise<StoredRefreshToken | null> {
    const [row] = await this.#db.execute<Row[]>(
      `select s.*, ${ACTIVE('s')} as "session_active",
         (extract(epoch from (now() - rt."used_at")) * 1000)::float8 as "used_ms_ago"
       from "refresh_tokens" rt join "sessions" s on s."id" = rt."session_id"
       where rt."token_hash" = ?`,
      [this.#idleSeconds, tokenHash],
    );
    if (row === undefined) return null;
    const { session_active: sessionActive, used_ms_ago: usedMsAgo, ...session } = row;
    return { session: this.#db.map(Session, session), sessionActive: sessionActive === true, usedMsAgo: usedMsAgo === null ? null : Number(usedMsAgo) };
  }

  /** Trades the token in: true for the one caller that marks it used. */
  async markUsed(tokenHash: string): Promise<boolean> {
    const rows = await this.#db.execute<Row[]>(
      `update "refresh_tokens" set "used_at" = now() where "token_hash" = ? and "used_at" is null returning "token_hash"`,
      [tokenHash],
    );
    return rows.length > 0;
  }

  /** Kills every refresh token of a session (renewal after a password change). */
  async deleteForSession(sessionId: string): Promise<void> {
    await this.#db.execute(`delete from "refresh_tokens" where "session_id" = ?`, [sessionId]);
  }
}
