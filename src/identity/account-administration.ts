import type { Db } from '../db/orm.ts';
import { EmailTakenError, ValidationError } from '../errors/errors.ts';
import type { SessionClient } from '../events/client.ts';
import { SecurityEventRepository, type SecurityEventRow } from '../events/security-event-repository.ts';
import type { AttemptLimiter } from '../limits/attempt-limiter.ts';
import type { BreachedPasswords } from '../passwords/breached/breached-passwords.ts';
import { replaceCredential } from '../passwords/credential-replacement.ts';
import { enforcePolicy } from '../passwords/enforce-policy.ts';
import type { PasswordHasher } from '../passwords/hashing/password-hasher.ts';
import type { PasswordHistory } from '../passwords/history/password-history.ts';
import { MAX_PASSWORD_INPUT, normalizePassword, type PasswordPolicy } from '../passwords/password-policy.ts';
import { revokeEverywhere, type RevocationDeps } from '../sessions/revoke-everywhere.ts';
import { normalizeEmail } from '../users/normalize-email.ts';
import type { User } from '../users/user.entity.ts';
import { UserRepository } from '../users/user.repository.ts';

/** How an operator appears in security events: no address, a recognisable agent naming them. */
export function operatorClient(operator: string): SessionClient {
  return { address: 'unknown', userAgent: `rekey admin CLI (operator: ${operator})` };
}

/** An operator named an email that has no account. */
export class AccountNotFoundError extends Error {
  override name = 'AccountNotFoundError';
  constructor(email: string) {
    super(`No account with the email ${email}.`);
  }
}

export interface AdministrationDeps extends RevocationDeps {
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  breached: BreachedPasswords;
  history: PasswordHistory;
  /**
   * The rate limits' store, when the caller can reach the server's: the server's own
   * limiter, or the admin CLI's on the shared Redis. Null: the windows live in a
   * server's memory, out of reach, and end by themselves within their window.
   */
  limiter?: AttemptLimiter | null;
}

/**
 * What an operator may do to an account without its password (the admin
 * CLI): the same rules as the API where they apply (policy, breached passwords, history, NFC, bcrypt cost),
 * but no rate limits and no session of the operator's own.
 */
export class AccountAdministration {
  readonly #db: Db;
  readonly #deps: AdministrationDeps;
  readonly #operator: SessionClient;

  /** `operator`: who is acting (the admin CLI's --operator or OS user), named in the events recorded. */
  constructor(db: Db, deps: AdministrationDeps, operator = 'unknown') {
    this.#db = db;
    this.#deps = deps;
    this.#operator = operatorClient(operator);
  }

  async createUser(emailInput: string, passwordInput: string): Promise<User> {
    const email = this.#validEmail(emailInput);
    const password = this.#acceptablePassword(passwordInput, email);
    const users = new UserRepository(this.#db);
    if (await users.emailTaken(email)) throw new EmailTakenError();
    await this.#deps.breached.enforce(password);
    // The unique index decides a race with a sign-up (EmailTakenError).
    return users.add(email, await this.#deps.hasher.hash(password));
  }

  /**
   * Replaces the password and signs out every session and legacy token, as a
   * change with revocation does; clears any block. Recorded as
   * PASSWORD_CHANGED (which notifies the owner) with SESSION_REVOKED per session.
   */
  async setPassword(emailInput: string, passwordInput: string): Promise<User> {
    const user = await this.#account(emailInput);
    const password = this.#acceptablePassword(passwordInput, user.email);
    await this.#deps.breached.enforce(password);
    await this.#deps.history.ensureNotReused(this.#db, user, password, { compareCurrent: true });
    const newHash = await this.#deps.hasher.hash(password);
    await this.#deps.events.transactional(this.#db, async (tx) => {
      const replaced = await replaceCredential(tx, this.#deps.history, { userId: user.id, expectedHash: user.password, newHash });
      if (replaced === null) throw new Error('The password was changed meanwhile; run the command again.');
      await revokeEverywhere(tx, this.#deps, { user, reason: 'admin', client: this.#operator });
      await this.#deps.events.record(tx, { user, kind: 'PASSWORD_CHANGED', client: this.#operator });
    });
    return user;
  }

  /** Every session, legacy token and device token of the account ends, on every instance at once. */
  async revokeSessions(emailInput: string): Promise<{ user: User; sessionsEnded: number }> {
    const user = await this.#account(emailInput);
    const sessionsEnded = await this.#deps.events.transactional(this.#db, (tx) =>
      revokeEverywhere(tx, this.#deps, { user, reason: 'admin', client: this.#operator, voidLegacyTokens: true }),
    );
    return { user, sessionsEnded };
  }

  /**
   * Ends a block from consecutive failed password checks, starts the count
   * over, and forgets the account's rate-limit windows (its email's and its
   * own), so the owner is admitted at once. `windowsCleared` is false when
   * no limiter is within reach (see AdministrationDeps.limiter).
   */
  async unlock(emailInput: string): Promise<{ user: User; wasLocked: boolean; windowsCleared: boolean }> {
    const user = await this.#account(emailInput);
    const wasLocked = user.lockedUntil !== null && user.lockedUntil !== undefined && user.lockedUntil > new Date();
    await new UserRepository(this.#db).clearFailures(user.id);
    const limiter = this.#deps.limiter ?? null;
    if (limiter !== null) await limiter.forget([`email:${user.email}`, `account:${user.id}`]);
    return { user, wasLocked, windowsCleared: limiter !== null };
  }

  /** The account's latest security events, newest first. */
  async events(emailInput: string, limit = 50): Promise<{ user: User; events: SecurityEventRow[] }> {
    const user = await this.#account(emailInput);
    return { user, events: await new SecurityEventRepository(this.#db).newestFirst(user.id, { limit, beforeSeq: null }) };
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
    enforcePolicy(this.#deps.policy, password, email);
    return password;
  }
}
