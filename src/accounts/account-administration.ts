import { raw, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../db/orm.ts';
import { normalizeEmail } from './account-service.ts';
import { EmailTakenError, ValidationError, WeakPasswordError } from './errors.ts';
import type { PasswordHasher } from './password-hasher.ts';
import { MAX_PASSWORD_INPUT, normalizePassword, type PasswordPolicy } from './password-policy.ts';
import { User } from './user.entity.ts';

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
    if ((await this.#db.count(User, { email })) > 0) throw new EmailTakenError();
    const user = this.#db.create(User, { email, password: await this.#deps.hasher.hash(password) });
    try {
      await this.#db.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw error;
    }
    return user;
  }

  /** Replaces the password and signs out every session, as a change with revocation does; clears any block. */
  async setPassword(emailInput: string, passwordInput: string): Promise<void> {
    const user = await this.#account(emailInput);
    const password = this.#acceptablePassword(passwordInput, user.email);
    const hash = await this.#deps.hasher.hash(password);
    await this.#db.nativeUpdate(
      User,
      { id: user.id },
      {
        password: hash,
        passwordChangedAt: new Date(),
        sessionVersion: raw('session_version + 1'),
        failedPasswordChecks: 0,
        lockouts: 0,
        lockedUntil: null,
      },
    );
  }

  /** Every token issued so far stops working, on every instance (the session version is in each). */
  async revokeSessions(emailInput: string): Promise<void> {
    const user = await this.#account(emailInput);
    await this.#db.nativeUpdate(User, { id: user.id }, { sessionVersion: raw('session_version + 1') });
  }

  /** Ends a block from consecutive failed password checks and starts the count over. */
  async unlock(emailInput: string): Promise<{ wasLocked: boolean }> {
    const user = await this.#account(emailInput);
    const wasLocked = user.lockedUntil !== null && user.lockedUntil !== undefined && user.lockedUntil > new Date();
    await this.#db.nativeUpdate(User, { id: user.id }, { failedPasswordChecks: 0, lockouts: 0, lockedUntil: null });
    return { wasLocked };
  }

  async #account(emailInput: string): Promise<User> {
    const email = normalizeEmail(emailInput);
    const user = await this.#db.findOne(User, { email });
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
