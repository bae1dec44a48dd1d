import { randomUUID } from 'node:crypto';
import type { Db } from '../db/orm.ts';
import type { SecurityEventKind } from './security-event-kind.ts';
import { executePrepared } from '../db/prepared-statement.ts';

export interface NewSecurityEvent {
  id: string;
  userId: number;
  kind: SecurityEventKind;
  ipAddress: string | null;
  userAgent: string | null;
  sessionId: string | null;
}

export interface SecurityEventRow {
  id: string;
  seq: number;
  kind: SecurityEventKind;
  occurredAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  sessionId: string | null;
}

interface RawRow {
  id: string;
  seq: string | number;
  kind: SecurityEventKind;
  occurred_at: Date | string;
  ip_address: string | null;
  user_agent: string | null;
  session_id: string | null;
}

const toRow = (raw: RawRow): SecurityEventRow => ({
  id: raw.id,
  seq: Number(raw.seq),
  kind: raw.kind,
  occurredAt: new Date(raw.occurred_at),
  ipAddress: raw.ip_address,
  userAgent: raw.user_agent,
  sessionId: raw.session_id,
});

/** The `security_events` table: append, page through one account's, and age out. */
export class SecurityEventRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Appends one event of `kind` for each account, with no client (an operator's bulk action). */
  async insertForEach(userIds: readonly number[], kind: SecurityEventKind): Promise<void> {
    if (userIds.length === 0) return;
    await this.#db.execute(
      `insert into "security_events" ("id", "user_id", "kind") values ${userIds.map(() => '(?, ?, ?)').join(', ')}`,
      userIds.flatMap((userId) => [randomUUID(), userId, kind]),
    );
  }

  /** Appends one event; returns its time (the transaction's `now()`). */
  async insert(event: NewSecurityEvent): Promise<Date> {
    const [row] = await executePrepared<{ occurred_at: Date | string }[]>(
      this.#db,
      `insert into "security_events" ("id", "user_id", "kind", "ip_address", "user_agent", "session_id")
       values (?, ?, ?, ?, ?, ?) returning "occurred_at"`,
      [event.id, event.userId, event.kind, event.ipAddress, event.userAgent, event.sessionId],
    );
    if (row === undefined) throw new Error('Inserting a security event returned no row');
    return new Date(row.occurred_at);
  }

  /**
   * The decoy path of an unknown email: a real insert (row, indexes, foreign
   * key check against some existing account) deleted again in the same
   * transaction, so it costs what a real event does and leaves nothing behind.
   * (A statement that inserts no row at all was measurably cheaper.)
   */
  async insertNothing(): Promise<void> {
    const inserted = await executePrepared<{ id: string }[]>(
      this.#db,
      `insert into "security_events" ("id", "user_id", "kind", "ip_address", "user_agent", "session_id")
       select gen_random_uuid(), "id", ?, ?, ?, ? from "users" limit 1
       returning "id"`,
      ['SIGN_IN_FAILED', null, null, null],
    );
    // A second statement: a data-modifying WITH cannot see the rows it inserted.
    if (inserted[0] !== undefined) await executePrepared(this.#db, `delete from "security_events" where "id" = ?`, [inserted[0].id]);
  }

  /** One account's events, newest first, strictly older than `beforeSeq` when given. */
  async newestFirst(userId: number, { limit, beforeSeq }: { limit: number; beforeSeq: number | null }): Promise<SecurityEventRow[]> {
    const rows = await executePrepared<RawRow[]>(
      this.#db,
      `select "id", "seq", "kind", "occurred_at", "ip_address", "user_agent", "session_id" from "security_events"
       where "user_id" = ? ${beforeSeq === null ? '' : 'and "seq" < ?'}
       order by "seq" desc limit ?`,
      beforeSeq === null ? [userId, limit] : [userId, beforeSeq, limit],
    );
    return rows.map(toRow);
  }

  /**
   * Deletes up to `batch` events older than `retentionMs` (their outbox rows
   * go with them). SKIP LOCKED: instances sweeping at once share the work
   * instead of waiting on each other. Returns how many were deleted.
   */
  async deleteOlderThan(retentionMs: number, batch: number): Promise<number> {
    const rows = await executePrepared<{ id: string }[]>(
      this.#db,
      `delete from "security_events" where "id" in (
         select "id" from "security_events" where "occurred_at" < now() - make_interval(secs => ?)
         limit ? for update skip locked)
       returning "id"`,
      [retentionMs / 1000, batch],
    );
    return rows.length;
  }
}
