// The sliding-window logs behind the rate limits, in process or in Redis.
//
// One attempt usually counts against several subjects at once (an address
// and an email). `consumeAll` checks every subject's window and records the
// attempt in all of them only if all admit it, in one atomic step: a call
// refused by one subject (an attacker's exhausted address) spends no other
// subject's budget (the victim's email), so it cannot lock the owner out.
//
// The stores also implement graphql-rate-limit's per-identity Store API for
// the calls that count against a single subject. graphql-rate-limit reads an
// identity's timestamps, awaits, then writes them back, so parallel calls all
// read the same old list and slip through (upstream issue #188). Here
// `getForIdentity` does the whole check-and-record atomically and returns a
// list whose length encodes the decision: none when the call is admitted (the
// limiter sees 0 + 1 <= max), `max` when it is refused. `setForIdentity` then
// has nothing left to do. The entries are the decision time, so the limiter's
// own expiry filter cannot change the outcome.
import { createHmac } from 'node:crypto';
import type { Identity, Store } from 'graphql-rate-limit';
import type { Redis } from 'ioredis';
import type { Secret } from '../secrets/secret.ts';

export interface WindowRule {
  max: number;
  windowMs: number;
}

export type WindowDecision = { admitted: true } | { admitted: false; retryAfterMs: number };

/** An identity counted against a rule of its own (a sign-in's email has a larger budget than its address). */
export interface RuledIdentity {
  identity: Identity;
  rule: WindowRule;
}

/** A store that also checks several identities at once and tells how long until a call would be admitted. */
export interface WindowStore extends Store {
  /** Admits the call and records it for every identity, each against its rule, or refuses it and records nothing; atomic. */
  consumeAll(entries: RuledIdentity[]): Promise<WindowDecision>;
  retryAfterMs(identity: Identity): Promise<number>;
  /** Drops these identities' windows (an operator's unlock). */
  forget(identities: Identity[]): Promise<void>;
}

/** A key counted against `rule`. */
export interface RuledKey {
  key: string;
  rule: WindowRule;
}

/** The in-process log is full of live windows: a new subject cannot be counted, so it is refused. */
export class WindowLogFullError extends Error {
  override name = 'WindowLogFullError';
}

const keyOf = (identity: Identity) => `${identity.contextIdentity}\u0000${identity.fieldIdentity}`;
const decision = (admitted: boolean, rule: WindowRule, now: number): number[] => Array.from({ length: admitted ? 0 : rule.max }, () => now);

/**
 * The in-process sliding-window log shared by every rule, holding at most
 * `maxKeys` identities. Only admitted calls write, and each write moves its
 * key to the end of the Map, so the Map runs from least to most recently
 * admitted. When a new identity finds the log full, identities whose windows
 * have all expired are dropped from the front; if none has expired, the new
 * identity is refused (WindowLogFullError) rather than another client's live
 * window being forgotten: evicting least recently used keys would let a flood
 * of fresh keys reset a victim's window and buy more guesses. Refusing closed
 * only stops subjects not yet counted, and only while the flood's own windows
 * last; Redis (REDIS_URL) is the store for deployments that expect floods.
 */
export class MemoryWindowLog {
  readonly #entries = new Map<string, number[]>();
  readonly #maxKeys: number;
  readonly #sweeper: NodeJS.Timeout;
  #longestWindowMs = 0;

  constructor({ maxKeys = 500_000, sweepEveryMs = 30_000 } = {}) {
    this.#maxKeys = maxKeys;
    this.#sweeper = setInterval(() => this.sweep(), sweepEveryMs);
    this.#sweeper.unref();
  }

  get size(): number {
    return this.#entries.size;
  }

  /** All or nothing over `keys`; synchronous, so atomic within the process. */
  consume(keys: string[], rule: WindowRule, now = Date.now()): WindowDecision {
    return this.consumeRuled(keys.map((key) => ({ key, rule })), now);
  }

  /** All or nothing over `entries`, each key against its own rule. */
  consumeRuled(entries: RuledKey[], now = Date.now()): WindowDecision {
    const unique = new Map(entries.map(({ key, rule }) => [key, rule]));
    for (const rule of unique.values()) this.#longestWindowMs = Math.max(this.#longestWindowMs, rule.windowMs);
    const windows = [...unique].map(([key, rule]) => ({ key, rule, recent: this.#recent(key, rule, now) }));
    const waits = windows.filter(({ recent, rule }) => recent.length >= rule.max).map(({ recent, rule }) => this.#freeingAt(recent, rule) - now);
    if (waits.length > 0) return { admitted: false, retryAfterMs: Math.max(...waits) };
    const fresh = windows.filter(({ key }) => !this.#entries.has(key)).length;
    if (!this.#makeRoom(fresh, now)) throw new WindowLogFullError('The in-process rate-limit log is full of live windows');
    for (const { key, recent } of windows) {
      recent.push(now);
      // Re-inserting moves the key to the end: the Map's order is least recently admitted first.
      this.#entries.delete(key);
      this.#entries.set(key, recent);
    }
    return { admitted: true };
  }

  retryAfterMs(key: string, rule: WindowRule, now = Date.now()): number {
    const recent = this.#recent(key, rule, now);
    return recent.length < rule.max ? 0 : this.#freeingAt(recent, rule) - now;
  }

  forget(keys: string[]): void {
    for (const key of keys) this.#entries.delete(key);
  }

  /** Drops identities with nothing left in any window. */
  sweep(now = Date.now()): void {
    for (const [key, times] of this.#entries) {
      if (this.#expired(times, now)) this.#entries.delete(key);
    }
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }

  #recent(key: string, rule: WindowRule, now: number): number[] {
    return (this.#entries.get(key) ?? []).filter((time) => time + rule.windowMs > now);
  }

  /** When the oldest of the last `max` calls leaves the window, freeing a slot. */
  #freeingAt(recent: number[], rule: WindowRule): number {
    return (recent[recent.length - rule.max] ?? 0) + rule.windowMs;
  }

  #expired(times: number[], now: number): boolean {
    return (times.at(-1) ?? 0) + this.#longestWindowMs <= now;
  }

  /** Makes room for `fresh` new keys by dropping expired ones from the front; false if they do not fit. */
  #makeRoom(fresh: number, now: number): boolean {
    while (this.#entries.size + fresh > this.#maxKeys) {
      const [oldest] = this.#entries;
      if (oldest === undefined || !this.#expired(oldest[1], now)) return false;
      this.#entries.delete(oldest[0]);
    }
    return true;
  }
}

export class MemoryWindowStore implements WindowStore {
  readonly #log: MemoryWindowLog;
  readonly #rule: WindowRule;

  constructor(log: MemoryWindowLog, rule: WindowRule) {
    this.#log = log;
    this.#rule = rule;
  }

  async consumeAll(entries: RuledIdentity[]): Promise<WindowDecision> {
    return this.#log.consumeRuled(entries.map(({ identity, rule }) => ({ key: keyOf(identity), rule })));
  }

  async forget(identities: Identity[]): Promise<void> {
    this.#log.forget(identities.map(keyOf));
  }

  getForIdentity(identity: Identity): readonly number[] {
    const now = Date.now();
    return decision(this.#log.consume([keyOf(identity)], this.#rule, now).admitted, this.#rule, now);
  }

  setForIdentity(): void {
    // Recorded atomically in getForIdentity.
  }

  async retryAfterMs(identity: Identity): Promise<number> {
    return this.#log.retryAfterMs(keyOf(identity), this.#rule);
  }
}

// One round trip, atomic in Redis, over every key of the call, each with its
// own max and window (ARGV[2i], ARGV[2i + 1]): drop expired calls and count in
// each; if any is full, record nothing (creating no key) and return the
// longest wait; otherwise record the call (member ARGV[1]) in all of them.
// Redis's clock is the only one, so instances with skewed clocks agree.
// (All keys of one script must be on one node: a plain Redis, not a Cluster.)
const CONSUME_ALL = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local wait = 0
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  if count >= max then
    local freeing = redis.call('ZRANGE', key, count - max, count - max, 'WITHSCORES')
    wait = math.max(wait, tonumber(freeing[2]) + window - now)
  end
end
if wait > 0 then return {0, wait} end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, now .. ':' .. ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return {1, 0}
`;

const RETRY_AFTER = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < max then return 0 end
local freeing = redis.call('ZRANGE', KEYS[1], count - max, count - max, 'WITHSCORES')
return tonumber(freeing[2]) + window - now
`;

/** How a subject (`email:…`, `address:…`) is named in a shared store. */
export type SubjectKey = (subject: string) => string;

/**
 * Redis is often run, backed up and inspected by other people than Rekey's
 * data: its keys name no email or address. A subject becomes its kind and an
 * HMAC-SHA-256 of the whole subject, keyed from the server secret (SERVER_SECRET), which every
 * instance sharing the store shares too (so the limit still holds across
 * them); without the secret a key cannot be tested against a guessed email.
 */
export function keyedSubjects(secret: Secret): SubjectKey {
  const key = createHmac('sha256', secret.bytes).update('rekey rate-limit subject keys').digest();
  return (subject) => `${subject.slice(0, subject.indexOf(':') + 1)}${createHmac('sha256', key).update(subject).digest('base64url')}`;
}

/** Shared by every instance that uses the same Redis: the limit holds across them. */
export class RedisWindowStore implements WindowStore {
  readonly #redis: Redis;
  readonly #rule: WindowRule;
  readonly #prefix: string;
  readonly #subjectKey: SubjectKey;
  #sequence = 0;
  readonly #instance = Math.random().toString(36).slice(2, 10);

  constructor(redis: Redis, rule: WindowRule, subjectKey: SubjectKey, prefix = 'rekey:limit:') {
    this.#redis = redis;
    this.#rule = rule;
    this.#subjectKey = subjectKey;
    this.#prefix = prefix;
  }

  async consumeAll(entries: RuledIdentity[]): Promise<WindowDecision> {
    const unique = new Map(entries.map(({ identity, rule }) => [this.key(identity), rule]));
    // A member unique across instances, so two calls in one millisecond both count.
    this.#sequence = (this.#sequence + 1) % Number.MAX_SAFE_INTEGER;
    const member = `${this.#instance}:${this.#sequence}`;
    const rules = [...unique.values()].flatMap((rule) => [rule.max, rule.windowMs]);
    const [admitted, wait] = (await this.#redis.eval(CONSUME_ALL, unique.size, ...unique.keys(), member, ...rules)) as [number, number];
    return admitted === 1 ? { admitted: true } : { admitted: false, retryAfterMs: Number(wait) };
  }

  async getForIdentity(identity: Identity): Promise<readonly number[]> {
    return decision((await this.consumeAll([{ identity, rule: this.#rule }])).admitted, this.#rule, Date.now());
  }

  async forget(identities: Identity[]): Promise<void> {
    if (identities.length > 0) await this.#redis.del(...identities.map((identity) => this.key(identity)));
  }

  setForIdentity(): void {
    // Recorded atomically in getForIdentity.
  }

  async retryAfterMs(identity: Identity): Promise<number> {
    return Number(await this.#redis.eval(RETRY_AFTER, 1, this.key(identity), this.#rule.max, this.#rule.windowMs));
  }

  private key(identity: Identity): string {
    return `${this.#prefix}${identity.fieldIdentity}:${this.#subjectKey(identity.contextIdentity)}`;
  }
}
