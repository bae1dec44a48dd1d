import type { Db } from '../db/orm.ts';
import type { OutboxChannel, OutboxState } from './outbox-message.entity.ts';

export interface NewOutboxMessage {
  id: string;
  eventId: string;
  channel: OutboxChannel;
  payload: Record<string, unknown>;
}

export interface ClaimedMessage {
  id: string;
  eventId: string;
  channel: OutboxChannel;
  payload: Record<string, unknown>;
  /** Including the one just claimed. */
  attempts: number;
}

interface ClaimedRow {
  id: string;
  event_id: string;
  channel: OutboxChannel;
  payload: Record<string, unknown> | string;
  attempts: number;
}

/** The `outbox` table: enqueue in the event's transaction; claim, settle and release for the worker. */
export class OutboxRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async enqueue(messages: NewOutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.#db.execute(
      `insert into "outbox" ("id", "event_id", "channel", "payload") values ${messages.map(() => '(?, ?, ?, ?::jsonb)').join(', ')}`,
      messages.flatMap((message) => [message.id, message.eventId, message.channel, JSON.stringify(message.payload)]),
    );
  }

  /**
   * A deleted account's messages go with it, delivered or not (their payloads
   * hold its address), except those of `keepEventId` (its goodbye). Run in the
   * deletion's transaction, before the account row goes.
   */
  async dropForAccount(userId: number, keepEventId: string): Promise<number> {
    const rows = await this.#db.execute<{ id: string }[]>(
      `delete from "outbox" where "event_id" in (select "id" from "security_events" where "user_id" = ?) and "event_id" <> ? returning "id"`,
      [userId, keepEventId],
    );
    return rows.length;
  }

  /** The same statement as `enqueue` of `count` messages, inserting no row (see SecurityEvents.recordNothing). */
  async enqueueNothing(count: number): Promise<void> {
    if (count === 0) return;
    await this.#db.execute(
      `insert into "outbox" ("id", "event_id", "channel", "payload")
       select * from (values ${Array.from({ length: count }, () => '(?::uuid, ?::uuid, ?, ?::jsonb)').join(', ')}) as v where false`,
      Array.from({ length: count }, () => ['00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000', 'webhook', '{}']).flat(),
    );
  }

  /**
   * Takes up to `batch` due messages for `workerId` until `claimMs` from now.
   * FOR UPDATE SKIP LOCKED: workers claiming at the same moment each get
   * different rows, and a claim is a committed row, so a worker that dies
   * leaves a claim that simply expires. The attempt is counted here, so a
   * message that kills its worker every time still ends dead.
   */
  async claim(workerId: string, { batch, claimMs, maxAttempts }: { batch: number; claimMs: number; maxAttempts: number }): Promise<ClaimedMessage[]> {
    const rows = await this.#db.execute<ClaimedRow[]>(
      `update "outbox" set "claimed_by" = ?, "claimed_until" = now() + make_interval(secs => ?), "attempts" = "attempts" + 1
       where "id" in (
         select "id" from "outbox"
         where "state" = 'pending' and "next_attempt_at" <= now() and "attempts" < ?
           and ("claimed_until" is null or "claimed_until" < now())
         order by "next_attempt_at"
         limit ?
         for update skip locked)
       returning "id", "event_id", "channel", "payload", "attempts"`,
      [workerId, claimMs / 1000, maxAttempts, batch],
    );
    return rows.map((row) => ({
      id: row.id,
      eventId: row.event_id,
      channel: row.channel,
      payload: typeof row.payload === 'string' ? (JSON.parse(row.payload) as Record<string, unknown>) : row.payload,
      attempts: row.attempts,
    }));
  }

  /** Delivered. `claimed_by` stays, naming the worker that delivered it. */
  async markDone(id: string, workerId: string): Promise<void> {
    await this.#db.execute(
      `update "outbox" set "state" = 'done', "delivered_at" = now(), "claimed_until" = null, "last_error" = null
       where "id" = ? and "claimed_by" = ?`,
      [id, workerId],
    );
  }

  /** A failed attempt: retried after `retryInMs`, or dead. */
  async markFailed(id: string, workerId: string, { error, retryInMs, dead }: { error: string; retryInMs: number; dead: boolean }): Promise<void> {
    await this.#db.execute(
      `update "outbox" set "state" = ?, "last_error" = ?, "claimed_by" = null, "claimed_until" = null,
         "next_attempt_at" = now() + make_interval(secs => ?)
       where "id" = ? and "claimed_by" = ?`,
      [dead ? 'dead' : 'pending', error.slice(0, 500), retryInMs / 1000, id, workerId],
    );
  }

  /** On shutdown: hands this worker's unfinished messages back at once (due now, not after the claim expires). */
  async release(workerId: string): Promise<number> {
    const rows = await this.#db.execute<{ id: string }[]>(
      `update "outbox" set "claimed_by" = null, "claimed_until" = null
       where "claimed_by" = ? and "state" = 'pending' returning "id"`,
      [workerId],
    );
    return rows.length;
  }

  /**
   * Housekeeping: a message whose last allowed attempt was abandoned (its
   * worker died) becomes dead; delivered messages older than `doneRetentionMs`
   * are deleted.
   */
  async sweep({ doneRetentionMs, maxAttempts }: { doneRetentionMs: number; maxAttempts: number }): Promise<void> {
    await this.#db.execute(
      `update "outbox" set "state" = 'dead', "claimed_until" = null, "last_error" = 'The last attempt was abandoned (worker stopped).'
       where "state" = 'pending' and "attempts" >= ? and ("claimed_until" is null or "claimed_until" < now())`,
      [maxAttempts],
    );
    await this.#db.execute(
      `delete from "outbox" where "id" in (
         select "id" from "outbox" where "state" = 'done' and "delivered_at" < now() - make_interval(secs => ?)
         limit 1000 for update skip locked)`,
      [doneRetentionMs / 1000],
    );
  }

  /** Dead messages, newest first (admin CLI). No payload: it holds addresses. */
  async dead(limit: number): Promise<{ id: string; channel: string; attempts: number; lastError: string | null; createdAt: Date }[]> {
    const rows = await this.#db.execute<{ id: string; channel: string; attempts: number; last_error: string | null; created_at: Date | string }[]>(
      `select "id", "channel", "attempts", "last_error", "created_at" from "outbox" where "state" = 'dead' order by "created_at" desc limit ?`,
      [limit],
    );
    return rows.map((row) => ({ id: row.id, channel: row.channel, attempts: row.attempts, lastError: row.last_error, createdAt: new Date(row.created_at) }));
  }

  /** Gives every dead message a fresh set of attempts, due now (admin CLI); returns how many. */
  async retryDead(): Promise<number> {
    const rows = await this.#db.execute<{ id: string }[]>(
      `update "outbox" set "state" = 'pending', "attempts" = 0, "next_attempt_at" = now(), "claimed_by" = null, "claimed_until" = null
       where "state" = 'dead' returning "id"`,
    );
    return rows.length;
  }

  /** How many messages are in each state (metrics, admin). */
  async countByState(): Promise<Record<OutboxState, number>> {
    const rows = await this.#db.execute<{ state: OutboxState; count: string | number }[]>(
      `select "state", count(*) as "count" from "outbox" group by "state"`,
    );
    const counts: Record<OutboxState, number> = { pending: 0, done: 0, dead: 0 };
    for (const row of rows) counts[row.state] = Number(row.count);
    return counts;
  }
}
