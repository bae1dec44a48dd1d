import type { Db } from '../db/orm.ts';
import { SecurityEventRepository, type SecurityEventRow } from '../events/security-event-repository.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import { normalizeEmail } from './account-service.ts';
import { DeviceTokenRepository } from '../devices/device-token.repository.ts';
import { EmailTakenError, ValidationError, WeakPasswordError } from '../errors/errors.ts';
import type { PasswordHasher } from '../passwords/hashing/password-hasher.ts';
import { MAX_PASSWORD_INPUT, normalizePassword, type PasswordPolicy } from '../passwords/password-policy.ts';
import { SessionRepository } from '../sessions/session.repository.ts';
import type { User } from './user.entity.ts';
import { UserRepository } from './user.repository.ts';

/** How the operator appears in security events: no address, a recognisable agent. */
const OPERATOR = { address: 'unknown', userAgent: 'rekey admin CLI' } as const;

/** An operator named an email that has no account. */
export class AccountNotFoundError extends Error {
  override name = 'AccountNotFoundError';
  constructor(email: string) {
    super(`No account with the email ${email}.`);
  }
}

export interface AdministrationDeps {
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  events: SecurityEvents;
  /** SESSION_IDLE_TIMEOUT, which decides which sessions are still active. */
  sessionIdleTimeoutMs: number;
}

/**
 * What an operator may do to an account without its password (the admin
 * CLI): the same rules as the API where they apply (policy, NFC, bcrypt cost),
 * but no rate limits and no session of the operator's own.
 */
export class AccountAdministration {
  readonly #db: Db;
  readonly #deps: AdministrationDeps;

  constructor(db: Db, deps: AdministrationDeps) {
    this.#db = db;
    this.#deps = deps;
  }

  async createUser(emailInput: string, passwordInput: string): Promise<User> {
    const email = this.#validEmail(emailInput);
    const password = this.#acceptablePassword(passwordInput, email);
    const users = new UserRepository(this.#db);
    if (await users.emailTaken(email)) throw new EmailTakenError();
    // The unique index decides a race with a sign-up (EmailTakenError).
    return users.add(email, await this.#deps.hasher.hash(password));
  }

  /**
   * Replaces the password and signs out every session and legacy token, as a
   * change with revocation does; clears any block. Recorded as
   * PASSWORD_CHANGED (which notifies the owner) with SESSION_REVOKED per session.
   */
  async setPassword(emailInput: string, passwordInput: string): Promise<void> {
    const user = await this.#account(emailInput);
    const password = this.#acceptablePassword(passwordInput, user.email);
    const newHash = await this.#deps.hasher.hash(password);
    await this.#deps.events.transactional(this.#db, async (tx) => {
      const replaced = await new UserRepository(tx).replacePassword({ userId: user.id, expectedHash: user.password, newHash });
      if (replaced === null) throw new Error('The password was changed meanwhile; run the command again.');
      await this.#revokeEverything(tx, user);
      await this.#deps.events.record(tx, { user, kind: 'PASSWORD_CHANGED', client: OPERATOR });
    });
  }

  /** Every session, legacy token and device token of the account ends, on every instance at once. */
  async revokeSessions(emailInput: string): Promise<number> {
    const user = await this.#account(emailInput);
    return this.#deps.events.transactional(this.#db, (tx) => this.#revokeEverything(tx, user));
  }

  /** Ends a block from consecutive failed password checks and starts the count over. */
  async unlock(emailInput: string): Promise<{ wasLocked: boolean }> {
    const user = await this.#account(emailInput);
    const wasLocked = user.lockedUntil !== null && user.lockedUntil !== undefined && user.lockedUntil > new Date();
    await new UserRepository(this.#db).clearFailures(user.id);
    return { wasLocked };
  }

  /** The account's latest security events, newest first. */
  async events(emailInput: string, limit = 50): Promise<SecurityEventRow[]> {
    const user = await this.#account(emailInput);
    return new SecurityEventRepository(this.#db).newestFirst(user.id, { limit, beforeSeq: null });
  }

  async #revokeEverything(tx: Db, user: User): Promise<number> {
    const ended = await new SessionRepository(tx, this.#deps.sessionIdleTimeoutMs).revokeAllOf(user.id, 'admin');
    await new UserRepository(tx).voidLegacyTokens(user.id);
    await new DeviceTokenRepository(tx).voidAllOf(user.id, 'sessions_revoked');
    for (const sessionId of ended) await this.#deps.events.record(tx, { user, kind: 'SESSION_REVOKED', client: OPERATOR, sessionId });
    return ended.length;
  }

  async #account(emailInput: string): Promise<User> {
    const email = normalizeEmail(emailInput);
    const user = await new UserRepository(this.#db).findByEmail(email);
    if (user === null) throw new AccountNotFoundError(email);
    return user;
  }

  #validEmail(input: string): string {
    const email = normalizeEmail(input);
    if (email.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw new ValidationError([{ path: ['email'], message: 'Email must be a valid email address' }]);
    }
    return email;
  }

  #acceptablePassword(input: string, email: string): string {
    if (input.length > MAX_PASSWORD_INPUT) {
      throw new ValidationError([{ path: ['password'], message: `Password must be at most ${MAX_PASSWORD_INPUT} characters` }]);
    }
    const password = normalizePassword(input);
    const [first, ...rest] = this.#deps.policy.check(password, email);
    if (first !== undefined) throw new WeakPasswordError([first, ...rest]);
    return password;
  }
}
