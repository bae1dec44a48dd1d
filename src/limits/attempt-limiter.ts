import type { GraphQLResolveInfo } from 'graphql';
import { getGraphQLRateLimiter } from 'graphql-rate-limit';
import type { Redis } from 'ioredis';
import { MemoryWindowLog, MemoryWindowStore, RedisWindowStore, type SubjectKey, type WindowRule, type WindowStore } from './window-stores.ts';

export type LimitedAction =
  | 'changePassword'
  | 'signIn'
  /** A sign-in presenting a trusted device token: the device's bucket and the address's trusted-sign-in bucket. */
  | 'trustedSignIn'
  | 'signUp'
  | 'refreshSession'
  | 'requestPasswordReset'
  /** resetPassword and secureAccount: redeeming an emailed link's token. */
  | 'redeemAccountToken'
  /** Checks of a second-factor code (and of the password that guards enrolling or disabling it), per account. */
  | 'secondFactor';

export type SubjectKind = 'address' | 'account' | 'email' | 'device';

/**
 * N attempts per sliding window for an action, and where one kind of subject
 * has a budget of its own (a sign-in's email, larger than its address's), that one.
 */
export type ActionRule = WindowRule & { bySubject?: Partial<Record<SubjectKind, WindowRule>> };

/** The rule of each limited action. */
export type LimitRules = Record<LimitedAction, ActionRule>;

/** Whom an attempt is counted against, e.g. `address:203.0.113.7`, `account:42` or `device:<id>` (a trusted device's own bucket). */
export type LimitSubject = `${SubjectKind}:${string}`;

const kindOf = (subject: LimitSubject) => subject.slice(0, subject.indexOf(':')) as SubjectKind;

export type Verdict = { limited: false } | { limited: true; retryAfterSeconds: number };

/** Thrown when the shared store cannot be reached: password checks fail closed. */
export class LimiterUnavailableError extends Error {
  override name = 'LimiterUnavailableError';
}

export interface AttemptLimiter {
  /** Counts one attempt of `action` against every subject if none is over its limit; otherwise against none. */
  consume(action: LimitedAction, subjects: LimitSubject[]): Promise<Verdict>;
  /** Forgets every window of these subjects, for every action (an operator's unlock). */
  forget(subjects: LimitSubject[]): Promise<void>;
  close(): Promise<void>;
}

type Limiter = ReturnType<typeof getGraphQLRateLimiter>;

const limited = (retryAfterMs: number): Verdict => ({ limited: true, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) });

/**
 * Per-field-call limits over the sliding-window stores of window-stores.ts:
 * through graphql-rate-limit's limiter API when one subject is counted, and
 * the stores' all-or-nothing consumeAll when several are. The limiter reads only
 * `info.fieldName`, `args` and what `identifyContext` returns, so the REST
 * route and the GraphQL resolvers share it through the domain service.
 */
export class WindowAttemptLimiter implements AttemptLimiter {
  readonly #rules: Record<LimitedAction, { rule: ActionRule; store: WindowStore; limiter: Limiter }>;
  readonly #close: () => Promise<void>;

  constructor(rules: LimitRules, storeFor: (rule: WindowRule) => WindowStore, close: () => Promise<void>) {
    const entry = (rule: ActionRule) => {
      const store = storeFor(rule);
      const limiter = getGraphQLRateLimiter({ identifyContext: (subject: LimitSubject) => subject, store });
      return { rule, store, limiter };
    };
    this.#rules = {
      changePassword: entry(rules.changePassword),
      signIn: entry(rules.signIn),
      trustedSignIn: entry(rules.trustedSignIn),
      signUp: entry(rules.signUp),
      refreshSession: entry(rules.refreshSession),
      requestPasswordReset: entry(rules.requestPasswordReset),
      redeemAccountToken: entry(rules.redeemAccountToken),
      secondFactor: entry(rules.secondFactor),
    };
    this.#close = close;
  }

  static inMemory(rules: LimitRules, options?: { maxKeys?: number }): WindowAttemptLimiter {
    const log = new MemoryWindowLog(options);
    return new WindowAttemptLimiter(rules, (rule) => new MemoryWindowStore(log, rule), async () => log.close());
  }

  /** `subjectKey` names subjects in Redis (keyedSubjects: no email or address in a key). */
  static redis(rules: LimitRules, redis: Redis, subjectKey: SubjectKey, keyPrefix?: string): WindowAttemptLimiter {
    return new WindowAttemptLimiter(
      rules,
      (rule) => new RedisWindowStore(redis, rule, subjectKey, keyPrefix),
      async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    );
  }

  async consume(action: LimitedAction, subjects: LimitSubject[]): Promise<Verdict> {
    const { rule, store } = this.#rules[action];
    const ruleOf = (subject: LimitSubject): WindowRule => rule.bySubject?.[kindOf(subject)] ?? rule;
    try {
      const [only, ...others] = subjects;
      if (only !== undefined && others.length === 0 && ruleOf(only) === rule) return await this.#consumeOne(action, only);
      // All or nothing over the subjects, in one atomic step of the store: a
      // call refused by one subject must spend no other subject's budget, so
      // an attacker's exhausted address cannot fill its victim's email window.
      // graphql-rate-limit's limiter asks its Store about one identity at a
      // time and records each on its own, which cannot express that; so
      // several subjects go to the store's consumeAll directly.
      // Each subject is counted against its own rule (an email's budget is larger than an address's).
      const verdict = await store.consumeAll(subjects.map((subject) => ({ identity: { contextIdentity: subject, fieldIdentity: action }, rule: ruleOf(subject) })));
      return verdict.admitted ? { limited: false } : limited(verdict.retryAfterMs);
    } catch (error) {
      throw new LimiterUnavailableError('The rate-limit store is unreachable', { cause: error });
    }
  }

  /** One subject fits graphql-rate-limit's per-identity API, so it decides. */
  async #consumeOne(action: LimitedAction, subject: LimitSubject): Promise<Verdict> {
    const { rule, store, limiter } = this.#rules[action];
    const fieldCall = { parent: undefined, args: {}, context: subject, info: { fieldName: action } as unknown as GraphQLResolveInfo };
    const message = await limiter(fieldCall, { max: rule.max, window: `${rule.windowMs}ms` });
    if (message === undefined) return { limited: false };
    return limited(await store.retryAfterMs({ contextIdentity: subject, fieldIdentity: action }));
  }

  async forget(subjects: LimitSubject[]): Promise<void> {
    const actions = Object.keys(this.#rules) as LimitedAction[];
    const identities = actions.flatMap((action) => subjects.map((subject) => ({ contextIdentity: subject, fieldIdentity: action })));
    try {
      // Every store of one limiter shares one log (or one Redis), so any of them forgets for all.
      await this.#rules.signIn.store.forget(identities);
    } catch (error) {
      throw new LimiterUnavailableError('The rate-limit store is unreachable', { cause: error });
    }
  }

  close(): Promise<void> {
    return this.#close();
  }
}
