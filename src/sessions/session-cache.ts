import { LRUCache } from 'lru-cache';
import type { Db } from '../db/orm.ts';

type Row = Record<string, unknown>;

/** What the per-request check read from the database: the account's row and the named session's, if any. */
export interface SessionRows {
  user: Row;
  session: Row | null;
  /** Whether the session is active (as of the read, or for a cached answer, now). */
  active: boolean;
  /** Until when (epoch ms) the session stays active if nothing is written meanwhile; null: not active. */
  activeUntilMs: number | null;
}

export interface SessionCacheSettings {
  /** Entries kept at most; the least recently used go first. */
  capacity: number;
  /** No entry is used longer than this after it was read, whatever happens (a bound on any staleness). */
  maxAgeMs: number;
}

export const DEFAULT_SESSION_CACHE: SessionCacheSettings = { capacity: 10_000, maxAgeMs: 60_000 };

interface Entry {
  userId: number;
  rows: SessionRows;
}

/** One cache per database (the driver is shared by every EntityManager fork and transaction of one ORM). */
const caches = new WeakMap<object, SessionCache>();

/**
 * The per-request session check's answers, kept in memory: for embedded
 * PGlite only, where this process is the database's only client (its files
 * cannot be shared between processes), so it sees every write to `users` and
 * `sessions` (embedded-session-cache.ts evicts the account on each, as the
 * write commits) and a revoked session is refused by the very next request.
 * With PostgreSQL nothing is cached: other instances write too, and
 * revocation must be instant on all of them.
 *
 * A read that overlaps an eviction is not kept (it may have seen the rows as
 * they were before the write), so an eviction is never undone by a late fill.
 * PGlite runs one statement or transaction at a time, so a read that starts
 * after a write's transaction began sees it committed. Whether a cached
 * session is still active is decided by its expiry and idle deadline on this
 * process's clock, which in embedded mode is the database's clock.
 */
export class SessionCache {
  /**
   * Keyed by session id (lru-cache: capacity, least recently used first out,
   * and the maximum age counted from when the read began, on Date.now).
   */
  readonly #entries: LRUCache<string, Entry>;
  readonly #sessionsOfUser = new Map<number, Set<string>>();
  /** Bumped by every eviction: a fill that started before the latest one is dropped. */
  #evictions = 0;

  constructor(settings: SessionCacheSettings = DEFAULT_SESSION_CACHE) {
    this.#entries = new LRUCache<string, Entry>({
      max: settings.capacity,
      ttl: settings.maxAgeMs,
      perf: { now: () => Date.now() },
      // However an entry goes (pushed out, replaced, expired, forgotten), its account's index loses it.
      dispose: (entry, sessionId) => this.#unindex(entry.userId, sessionId),
    });
  }

  /** Turns the cache on for every EntityManager of this database (embedded mode only). */
  static attach(db: Db, settings: SessionCacheSettings = DEFAULT_SESSION_CACHE): SessionCache {
    const cache = new SessionCache(settings);
    caches.set(db.getDriver(), cache);
    return cache;
  }

  /** This database's cache, or null where there is none (PostgreSQL). */
  static of(db: Db): SessionCache | null {
    return caches.get(db.getDriver()) ?? null;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached answer for this token's account and session, or `read()`'s (kept unless a write overlapped it). */
  async lookup(userId: number, sessionId: string, read: () => Promise<SessionRows | null>): Promise<SessionRows | null> {
    const entry = this.#entries.get(sessionId);
    if (entry !== undefined && entry.userId === userId) {
      // The database's rule, on the database's clock: in embedded mode that is this process's clock.
      const { activeUntilMs } = entry.rows;
      return { ...entry.rows, active: activeUntilMs !== null && Date.now() < activeUntilMs };
    }
    const evictionsBefore = this.#evictions;
    const readAtMs = Date.now();
    const rows = await read();
    // An unknown account is not kept: it is rare, and nothing would evict it when the id is reused.
    if (rows !== null && this.#evictions === evictionsBefore) this.#keep(sessionId, { userId, rows }, readAtMs);
    return rows;
  }

  /** After any write to the account's row or to one of its sessions (committed, or about to be). */
  forgetUser(userId: number): void {
    this.#evictions += 1;
    for (const sessionId of [...(this.#sessionsOfUser.get(userId) ?? [])]) this.#entries.delete(sessionId);
    this.#sessionsOfUser.delete(userId);
  }

  #keep(sessionId: string, entry: Entry, readAtMs: number): void {
    this.#entries.set(sessionId, entry, { start: readAtMs });
    let sessions = this.#sessionsOfUser.get(entry.userId);
    if (sessions === undefined) {
      sessions = new Set();
      this.#sessionsOfUser.set(entry.userId, sessions);
    }
    sessions.add(sessionId);
  }

  #unindex(userId: number, sessionId: string): void {
    const sessions = this.#sessionsOfUser.get(userId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.#sessionsOfUser.delete(userId);
  }
}
