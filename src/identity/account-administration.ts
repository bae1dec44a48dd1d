import { AccountTokenRepository } from '../account-tokens/account-token.repository.ts';
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
import { AccountNotFoundError } from './account-not-found-error.ts';
import { removeAccount } from './delete-account.ts';
import { turnOff } from '../second-factor/totp-enrollment.ts';
import { UserRepository } from '../users/user.repository.ts';

/** How an operator appears in security events: no address, a recognisable agent naming them. */
export function operatorClient(operator: string): SessionClient {
  return { address: 'unknown', userAgent: `rekey admin CLI (operator: ${operator})` };
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
    if (await new UserRepository(this.#db).emailTaken(email)) throw new EmailTakenError();
    await this.#deps.breached.enforce(password);
    const hash = await this.#deps.hasher.hash(password);
    // The unique index decides a race with a sign-up (EmailTakenError); the account and SIGNED_UP commit together.
    return this.#deps.events.transactional(this.#db, async (tx) => {
      const user = await new UserRepository(tx).add(email, hash);
      await this.#deps.events.record(tx, { user, kind: 'SIGNED_UP', client: this.#operator });
      return user;
    });
  }

  /**
   * Replaces the password and signs out every session and legacy token, as a
   * change with revocation does; clears any block. Recorded as
   * ADMIN_PASSWORD_SET (which notifies the owner, as a change does) with SESSION_REVOKED per session.
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
      await this.#deps.events.record(tx, { user, kind: 'ADMIN_PASSWORD_SET', client: this.#operator });
    });
    return user;
  }

  /** Every session, legacy token and device token of the account ends, on every instance at once. */
  async revokeSessions(emailInput: string): Promise<{ user: User; sessionsEnded: number }> {
    const user = await this.#account(emailInput);
    const sessionsEnded = await this.#deps.events.transactional(this.#db, async (tx) => {
      const ended = await revokeEverywhere(tx, this.#deps, { user, reason: 'admin', client: this.#operator, voidLegacyTokens: true });
      await this.#deps.events.record(tx, { user, kind: 'ADMIN_SESSIONS_REVOKED', client: this.#operator });
      return ended;
    });
    return { user, sessionsEnded };
  }

  /**
   * No sign-in until enabled again: the answer is the generic
   * InvalidCredentialsError, after the same work as a wrong password. Every
   * session, refresh token, legacy token, device token and unused emailed
   * link ends at once (also when it already was disabled: nothing of the
   * account may stay signed in). ADMIN_ACCOUNT_DISABLED when it changed.
   */
  async disable(emailInput: string): Promise<{ user: User; changed: boolean; sessionsEnded: number }> {
    const user = await this.#account(emailInput);
    return this.#deps.events.transactional(this.#db, async (tx) => {
      const changed = await new UserRepository(tx).setDisabled(user.id, true);
      const sessionsEnded = await revokeEverywhere(tx, this.#deps, { user, reason: 'admin', client: this.#operator, voidLegacyTokens: true });
      await new AccountTokenRepository(tx).voidAllUnused(user.id);
      if (changed) await this.#deps.events.record(tx, { user, kind: 'ADMIN_ACCOUNT_DISABLED', client: this.#operator });
      return { user, changed, sessionsEnded };
    });
  }

  /**
   * Deletes the account as deleteAccount does (removeAccount: the goodbye
   * email, its sessions, tokens and history gone, its events anonymised),
   * without its password: an operator's decision, recorded as theirs.
   */
  async deleteAccount(emailInput: string): Promise<User> {
    const user = await this.#account(emailInput);
    if (!(await removeAccount(this.#db, this.#deps.events, user, this.#operator))) throw new AccountNotFoundError(user.email);
    return user;
  }

  /**
   * Two-step verification off, for an owner who lost the authenticator and
   * every recovery code: SECOND_FACTOR_DISABLED is recorded (naming the
   * operator) and notified, so an operator tricked into it is seen. Sessions stay.
   */
  async turnOffTotp(emailInput: string): Promise<{ user: User; changed: boolean }> {
    const user = await this.#account(emailInput);
    const changed = await turnOff({ events: this.#deps.events }, this.#db, user, { client: this.#operator, sessionId: null });
    return { user, changed };
  }

  /** Sign-in works again, with a clean failure count; ADMIN_ACCOUNT_ENABLED when it was disabled. */
  async enable(emailInput: string): Promise<{ user: User; changed: boolean }> {
    const user = await this.#account(emailInput);
    return this.#deps.events.transactional(this.#db, async (tx) => {
      const changed = await new UserRepository(tx).setDisabled(user.id, false);
      if (changed) await this.#deps.events.record(tx, { user, kind: 'ADMIN_ACCOUNT_ENABLED', client: this.#operator });
      return { user, changed };
    });
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
    await this.#deps.events.transactional(this.#db, async (tx) => {
      await new UserRepository(tx).clearFailures(user.id);
      await this.#deps.events.record(tx, { user, kind: 'ADMIN_ACCOUNT_UNLOCKED', client: this.#operator });
    });
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
