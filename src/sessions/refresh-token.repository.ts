import type { Db } from '../db/orm.ts';
import { Session } from './session.entity.ts';
import { ACTIVE, prefixedSessionColumns, splitSessionColumns } from './session.repository.ts';
import { User } from '../users/user.entity.ts';
import { executePrepared } from '../db/prepared-statement.ts';
import { unmanagedEntity } from '../db/unmanaged-entity.ts';
import { StatementBatch, statementBatch } from '../db/statement-batch.ts';

type Row = Record<string, unknown>;

/** A rotation asked for on an EntityManager (a batch runs on its first one's). */
interface RotationRequest {
  db: Db;
  idleSeconds: number;
  tokenHash: string;
  newTokenHash: string;
  /** The new token sealed for the presented one (sealSuccessor), stored on it when it is spent. */
  sealedSuccessor: string;
}

/**
 * Rotations per batch statement: well above what a server's open
 * connections keep in flight, so it bounds a statement's size, not a batch's.
 */
const MAX_ROTATIONS_PER_STATEMENT = 64;

/** What one rotation attempt found and did (see RefreshTokenRepository.rotate). */
export interface Rotation {
  /** The presented token's session, as read before any change. */
  sessionId: string;
  userId: number;
  generation: number;
  /** Whether that session was active (not revoked, expired or idle) when read. */
  sessionActive: boolean;
  /** Milliseconds since the token was traded in, when read; null while unused. */
  usedMsAgo: number | null;
  /** The sealed token it was traded for, when read (see openSuccessor); null while unused. */
  sealedSuccessor: string | null;
  /**
   * Set when this call traded the token in: the new token is stored and the
   * session touched (as it is now), with its account. Null otherwise: the
   * token was spent or the session inactive when read, or a concurrent call
   * changed either first.
   */
  rotated: { session: Session; user: User | null } | null;
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
    await executePrepared(this.#db, `insert into "refresh_tokens" ("token_hash", "session_id", "created_at") values (?, ?, now())`, [
      tokenHash,
      sessionId,
    ]);
  }

  /**
   * The common refresh in ONE statement (one round trip instead of seven):
   * reads the presented token with its session; if the token is unused and
   * the session active at the generation read, touches the session, marks
   * the token used with its sealed successor (only one concurrent caller
   * can: `used_at is null` is re-checked on the locked row), stores
   * `newTokenHash` and reads the account. Null when no token has that hash.
   *
   * On embedded PGlite, rotations that arrive while one is running go
   * together as the next statement (see StatementBatch): PGlite runs one
   * statement at a time anyway, and most of a rotation's time there is the
   * statement's fixed toll. On PostgreSQL every rotation is its own
   * statement on its own pooled connection, as concurrent as the pool.
   */
  async rotate(tokenHash: string, newTokenHash: string, sealedSuccessor: string): Promise<Rotation | null> {
    const request = { db: this.#db, idleSeconds: this.#idleSeconds, tokenHash, newTokenHash, sealedSuccessor };
    // The batch lives as long as the connection: its functions must not hold
    // this repository (and so one request's EntityManager), only the inputs.
    const batch = statementBatch(
      this.#db,
      `refresh-token-rotation:${this.#idleSeconds}`,
      () => new StatementBatch({ run: rotateAll, key: rotationKey, maxSize: MAX_ROTATIONS_PER_STATEMENT }),
    );
    const row = batch === null ? (await rotateAll([request]))[0] : await batch.submit(request);
    return row === undefined ? null : this.#rotation(row);
  }

  /** A row of rotateAll as a Rotation, its entities mapped on this repository's EntityManager. */
  #rotation(row: Row): Rotation {
    const { session, rest } = splitSessionColumns(row);
    const {
      presented_token_hash: _tokenHash,
      presented_session_id: sessionId,
      presented_user_id: userId,
      presented_generation: generation,
      presented_session_active: sessionActive,
      presented_used_ms_ago: usedMsAgo,
      presented_successor: sealedSuccessor,
      presented_issued: issued,
      ...user
    } = rest;
    return {
      sessionId: sessionId as string,
      userId: Number(userId),
      generation: Number(generation),
      sessionActive: sessionActive === true,
      usedMsAgo: usedMsAgo === null ? null : Number(usedMsAgo),
      sealedSuccessor: typeof sealedSuccessor === 'string' ? sealedSuccessor : null,
      rotated:
        issued === true
          ? {
              session: unmanagedEntity(this.#db, Session, session),
              user: user.id === null || user.id === undefined ? null : unmanagedEntity(this.#db, User, user),
            }
          : null,
    };
  }

  /**
   * A renewal's token swap (after a password change), in one statement:
   * every refresh token of the session dies and `tokenHash` becomes its only
   * one (the delete does not see the row its own statement inserts). Run
   * after SessionRepository.renew in the same transaction, not folded into
   * it: this statement's snapshot is then taken with the session row locked,
   * so it also sees a token that a rotation holding that lock just stored.
   */
  async replaceAllOfSession(sessionId: string, tokenHash: string): Promise<void> {
    await executePrepared(
      this.#db,
      `with "voided" as (delete from "refresh_tokens" where "session_id" = ?)
       insert into "refresh_tokens" ("token_hash", "session_id", "created_at") values (?, ?, now())`,
      [sessionId, tokenHash, sessionId],
    );
  }
}

/** Two rotations of one token never share a batch statement. */
function rotationKey(request: RotationRequest): string {
  return request.tokenHash;
}

/**
 * Rotates each presented token (distinct hashes), in one statement run on
 * the first request's EntityManager with its idle timeout (a batch's
 * requests share one: it is in the batch's name); the row read for each,
 * in order.
 *
 * The session row is locked before the token's (`spent` reads `touched`),
 * the order a password change's renewal takes them in, so the two cannot
 * deadlock; while it is locked no renewal can void the new token unseen.
 * A renewal or revocation that commits first makes `touched` skip the
 * row (PostgreSQL re-checks its conditions on the newest version), and
 * nothing is written for that token.
 */
async function rotateAll(requests: RotationRequest[]): Promise<(Row | undefined)[]> {
  const [first] = requests;
  if (first === undefined) return [];
  // One rotation (always on PostgreSQL) names its two hashes; the planner then
  // knows it is one row, which a list cannot tell it, and PostgreSQL plans and
  // runs the statement in half the time.
  const [input, inputParams] =
    requests.length === 1
      ? [
          `select ?::text as "token_hash", ?::text as "new_token_hash", ?::text as "successor"`,
          [first.tokenHash, first.newTokenHash, first.sealedSuccessor],
        ]
      : [
          `select * from jsonb_to_recordset(?::jsonb) as i("token_hash" text, "new_token_hash" text, "successor" text)`,
          [
            JSON.stringify(
              requests.map((request) => ({ token_hash: request.tokenHash, new_token_hash: request.newTokenHash, successor: request.sealedSuccessor })),
            ),
          ],
        ];
  const rows = await executePrepared<Row[]>(
    first.db,
    `with "input" as (${input}), "presented" as (
       select i."token_hash", i."new_token_hash", i."successor" as "new_successor", rt."session_id", rt."used_at", rt."successor",
         s."user_id", s."generation", ${ACTIVE('s')} as "session_active"
       from "refresh_tokens" rt
       join "input" i on i."token_hash" = rt."token_hash"
       join "sessions" s on s."id" = rt."session_id"
       where rt."token_hash" = any(array(select "token_hash" from "input"))
     ), "touched" as (
       update "sessions" s set "last_active_at" = now()
       from "presented" p
       where s."id" = p."session_id" and p."used_at" is null and s."generation" = p."generation" and ${ACTIVE('s')}
       returning s.*
     ), "spent" as (
       update "refresh_tokens" rt set "used_at" = now(), "successor" = p."new_successor"
       from "presented" p
       where rt."token_hash" = p."token_hash" and p."session_id" in (select "id" from "touched") and rt."used_at" is null
       returning rt."token_hash"
     ), "issued" as (
       insert into "refresh_tokens" ("token_hash", "session_id", "created_at")
       select p."new_token_hash", p."session_id", now() from "spent" sp join "presented" p on p."token_hash" = sp."token_hash"
       returning "token_hash"
     )
     select p."token_hash" as "presented_token_hash", p."session_id" as "presented_session_id", p."user_id" as "presented_user_id",
       p."generation" as "presented_generation", p."session_active" as "presented_session_active",
       (extract(epoch from (now() - p."used_at")) * 1000)::float8 as "presented_used_ms_ago", p."successor" as "presented_successor",
       (x."token_hash" is not null) as "presented_issued",
       ${prefixedSessionColumns('t')}, u.*
     from "presented" p
     left join "issued" x on x."token_hash" = p."new_token_hash"
     left join "touched" t on t."id" = p."session_id" and x."token_hash" is not null
     left join "users" u on u."id" = t."user_id"`,
    [...inputParams, first.idleSeconds, first.idleSeconds],
  );
  const byHash = new Map(rows.map((row) => [row.presented_token_hash, row]));
  return requests.map((request) => byHash.get(request.tokenHash));
}
