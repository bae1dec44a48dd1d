import type { GraphQLResolveInfo } from 'graphql';
import { getGraphQLRateLimiter } from 'graphql-rate-limit';
import type { Redis } from 'ioredis';
import { MemoryWindowLog, MemoryWindowStore, RedisWindowStore, type WindowRule, type WindowStore } from './window-stores.ts';

export type LimitedAction = 'changePassword' | 'signIn' | 'signUp' | 'refreshSession';

/** N attempts per sliding window, for each limited action. */
export type LimitRules = Record<LimitedAction, WindowRule>;

/** Whom an attempt is counted against, e.g. `address:203.0.113.7` or `account:42`. */
export type LimitSubject = `${'address' | 'account' | 'email'}:${string}`;

export type Verdict = { limited: false } | { limited: true; retryAfterSeconds: number };

/** Thrown when the shared store cannot be reached: password checks fail closed. */
export class LimiterUnavailableError extends Error {
  override name = 'LimiterUnavailableError';
}

export interface AttemptLimiter {
  /** Counts one attempt of `action` against every subject; limited if any is over its limit. */
  consume(action: LimitedAction, subjects: LimitSubject[]): Promise<Verdict>;
  close(): Promise<void>;
}

type Limiter = ReturnType<typeof getGraphQLRateLimiter>;

/**
 * Per-field-call limits on graphql-rate-limit's limiter API, with stores that
 * make them exact (see window-stores.ts). The limiter reads only
 * `info.fieldName`, `args` and what `identifyContext` returns, so the REST
 * route and the GraphQL resolvers share it through the domain service.
 */
export class WindowAttemptLimiter implements AttemptLimiter {
  readonly #rules: Record<LimitedAction, { rule: WindowRule; store: WindowStore; limiter: Limiter }>;
  readonly #close: () => Promise<void>;

  constructor(rules: LimitRules, storeFor: (rule: WindowRule) => WindowStore, close: () => Promise<void>) {
    const entry = (rule: WindowRule) => {
      const store = storeFor(rule);
      const limiter = getGraphQLRateLimiter({ identifyContext: (subject: LimitSubject) => subject, store });
      return { rule, store, limiter };
    };
    this.#rules = {
      changePassword: entry(rules.changePassword),
      signIn: entry(rules.signIn),
      signUp: entry(rules.signUp),
      refreshSession: entry(rules.refreshSession),
    };
    this.#close = close;
  }

  static inMemory(rules: LimitRules, options?: { maxKeys?: number }): WindowAttemptLimiter {
    const log = new MemoryWindowLog(options);
    return new WindowAttemptLimiter(rules, (rule) => new MemoryWindowStore(log, rule), async () => log.close());
  }

  static redis(rules: LimitRules, redis: Redis, keyPrefix?: string): WindowAttemptLimiter {
    return new WindowAttemptLimiter(
      rules,
      (rule) => new RedisWindowStore(redis, rule, keyPrefix),
      async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    );
  }

  async consume(action: LimitedAction, subjects: LimitSubject[]): Promise<Verdict> {
    const { rule, store, limiter } = this.#rules[action];
    // Every subject is counted, even after one refuses, so that spreading
    // attempts over addresses does not spare the account and vice versa.
    const refusals = await Promise.all(
      subjects.map(async (subject) => {
        const fieldCall = { parent: undefined, args: {}, context: subject, info: { fieldName: action } as unknown as GraphQLResolveInfo };
        try {
          const message = await limiter(fieldCall, { max: rule.max, window: `${rule.windowMs}ms` });
          if (message === undefined) return null;
          return store.retryAfterMs({ contextIdentity: subject, fieldIdentity: action });
        } catch (error) {
          throw new LimiterUnavailableError('The rate-limit store is unreachable', { cause: error });
        }
      }),
    );
    const waits = refusals.filter((wait): wait is number => wait !== null);
    if (waits.length === 0) return { limited: false };
    return { limited: true, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) };
  }

  close(): Promise<void> {
    return this.#close();
  }
}
