// Stores for graphql-rate-limit that make "N per window" exact.
//
// graphql-rate-limit reads an identity's timestamps, awaits, then writes them
// back, so parallel calls all read the same old list and slip through
// (upstream issue #188). These stores do the whole check-and-record in one
// atomic step inside `getForIdentity` and return a list whose length encodes
// the decision: `count` entries when the call is admitted (the limiter sees
// count + 1 <= max), `max` entries when it is refused. `setForIdentity` then
// has nothing left to do. The entries are the decision time, so the
// limiter's own expiry filter cannot change the outcome.
import type { Identity, Store } from 'graphql-rate-limit';
import type { Redis } from 'ioredis';

export interface WindowRule {
  max: number;
  windowMs: number;
}

/** A store that also tells how long until the next call would be admitted. */
export interface WindowStore extends Store {
  retryAfterMs(identity: Identity): Promise<number>;
}

const keyOf = (identity: Identity) => `${identity.contextIdentity}\u0000${identity.fieldIdentity}`;
const decision = (length: number, now: number): number[] => Array.from({ length }, () => now);

/**
 * The in-process sliding-window log shared by every rule: at most `maxKeys`
 * identities (least recently used go first), expired ones swept as time passes.
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

  /** Admits and records a call, or refuses it; synchronous, so atomic within the process. */
  consume(key: string, rule: WindowRule, now = Date.now()): { admitted: boolean; countBefore: number } {
    this.#longestWindowMs = Math.max(this.#longestWindowMs, rule.windowMs);
    const recent = (this.#entries.get(key) ?? []).filter((time) => time + rule.windowMs > now);
    const admitted = recent.length < rule.max;
    if (admitted) recent.push(now);
    // Re-inserting moves the key to the end: the Map's order is least recently used first.
    this.#entries.delete(key);
    if (recent.length > 0) this.#entries.set(key, recent);
    while (this.#entries.size > this.#maxKeys) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    return { admitted, countBefore: admitted ? recent.length - 1 : recent.length };
  }

  retryAfterMs(key: string, rule: WindowRule, now = Date.now()): number {
    const recent = (this.#entries.get(key) ?? []).filter((time) => time + rule.windowMs > now);
    if (recent.length < rule.max) return 0;
    // The call that frees a slot is the oldest of the last `max`.
    const freeing = recent[recent.length - rule.max] ?? now;
    return freeing + rule.windowMs - now;
  }

  /** Drops identities with nothing left in any window. */
  sweep(now = Date.now()): void {
    for (const [key, times] of this.#entries) {
      if ((times.at(-1) ?? 0) + this.#longestWindowMs <= now) this.#entries.delete(key);
    }
  }

  close(): void {
    clearInterval(this.#sweeper);
    this.#entries.clear();
  }
}

export class MemoryWindowStore implements WindowStore {
  readonly #log: MemoryWindowLog;
  readonly #rule: WindowRule;

  constructor(log: MemoryWindowLog, rule: WindowRule) {
    this.#log = log;
    this.#rule = rule;
  }

  getForIdentity(identity: Identity): readonly number[] {
    const now = Date.now();
    const { admitted, countBefore } = this.#log.consume(keyOf(identity), this.#rule, now);
    return decision(admitted ? countBefore : this.#rule.max, now);
  }

  setForIdentity(): void {
    // Recorded atomically in getForIdentity.
  }

  async retryAfterMs(identity: Identity): Promise<number> {
    return this.#log.retryAfterMs(keyOf(identity), this.#rule);
  }
}

// One round trip, atomic in Redis: drop expired calls, count, record if
// admitted. Redis's clock is the only one, so instances with skewed clocks agree.
const CONSUME = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local max = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < max then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, count, 0}
end
local freeing = redis.call('ZRANGE', KEYS[1], count - max, count - max, 'WITHSCORES')
return {0, count, tonumber(freeing[2]) + window - now}
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

/** Shared by every instance that uses the same Redis: the limit holds across them. */
export class RedisWindowStore implements WindowStore {
  readonly #redis: Redis;
  readonly #rule: WindowRule;
  readonly #prefix: string;
  #sequence = 0;
  readonly #instance = Math.random().toString(36).slice(2, 10);

  constructor(redis: Redis, rule: WindowRule, prefix = 'rekey:limit:') {
    this.#redis = redis;
    this.#rule = rule;
    this.#prefix = prefix;
  }

  async getForIdentity(identity: Identity): Promise<readonly number[]> {
    // A member unique across instances, so two calls in one millisecond both count.
    this.#sequence = (this.#sequence + 1) % Number.MAX_SAFE_INTEGER;
    const member = `${this.#instance}:${this.#sequence}`;
    const reply = (await this.#redis.eval(CONSUME, 1, this.key(identity), this.#rule.max, this.#rule.windowMs, member)) as [number, number, number];
    const [admitted, countBefore] = reply;
    return decision(admitted === 1 ? countBefore : this.#rule.max, Date.now());
  }

  setForIdentity(): void {
    // Recorded atomically in getForIdentity.
  }

  async retryAfterMs(identity: Identity): Promise<number> {
    return Number(await this.#redis.eval(RETRY_AFTER, 1, this.key(identity), this.#rule.max, this.#rule.windowMs));
  }

  private key(identity: Identity): string {
    return `${this.#prefix}${identity.fieldIdentity}:${identity.contextIdentity}`;
  }
}
