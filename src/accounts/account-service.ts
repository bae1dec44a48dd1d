import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Db } from '../db/orm.ts';
import { Authentication } from './authentication.ts';
import { LimiterUnavailableError, type AttemptLimiter, type LimitedAction, type LimitSubject } from '../limits/attempt-limiter.ts';
import {
  EmailTakenError,
  IncorrectPasswordError,
  InvalidCredentialsError,
  InvalidSessionError,
  PasswordReusedError,
  RateLimitedError,
  WeakPasswordError,
} from './errors.ts';
import { FailedChecks, type LockoutSettings } from './failed-checks.ts';
import { sameForBcrypt, type PasswordHasher } from './password-hasher.ts';
import { normalizePassword, type PasswordPolicy } from './password-policy.ts';
import type { IssuedToken, SessionTokens } from './session-tokens.ts';
import { User } from './user.entity.ts';

/** What the domain needs that lives longer than a request. */
export interface AccountDeps {
  hasher: PasswordHasher;
  tokens: SessionTokens;
  policy: PasswordPolicy;
  limiter: AttemptLimiter;
  lockout: LockoutSettings;
}

/** Who is calling, as far as the transport can tell. */
export interface Client {
  address: string;
  /** Called just before a write whose outcome the caller must hear; throws if the caller was already answered. */
  beginWrite?: () => void;
}

export interface Session extends IssuedToken {
  user: User;
}

export interface PasswordChange extends Session {
  success: true;
  message: 'Password changed successfully.';
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
  revokeOtherSessions: boolean;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Sign-up, sign-in, sessions and password changes. Knows nothing of GraphQL
 * or HTTP: it returns results or throws the domain errors of errors.ts.
 * Cheap checks come first so no bcrypt work is spent where they decide.
 */
export class AccountService {
  readonly #db: Db;
  readonly #deps: AccountDeps;
  readonly #failedChecks: FailedChecks;

  constructor(db: Db, deps: AccountDeps) {
    this.#db = db;
    this.#deps = deps;
    this.#failedChecks = new FailedChecks(db, deps.lockout);
  }

  /** The request's bearer token, to be checked as far as needed (see Authentication). */
  authenticate(token: string | null): Authentication {
    return new Authentication(token, this.#deps.tokens, this.#db);
  }

  async signUp(input: { email: string; password: string }, client: Client): Promise<Session> {
    await this.#consume('signUp', [`address:${client.address}`]);
    const email = normalizeEmail(input.email);
    const password = normalizePassword(input.password);
    this.#enforcePolicy(password, email);
    if ((await this.#db.count(User, { email })) > 0) throw new EmailTakenError();
    const user = this.#db.create(User, { email, password: await this.#deps.hasher.hash(password), passwordNormalized: true });
    try {
      await this.#db.flush();
    } catch (error) {
      // Two sign-ups for one email at once: the database's unique index decides.
      if (error instanceof UniqueConstraintViolationException) throw new EmailTakenError();
      throw error;
    }
    return this.#session(user);
  }

  async signIn(input: { email: string; password: string }, client: Client): Promise<Session> {
    const email = normalizeEmail(input.email);
    await this.#consume('signIn', [`address:${client.address}`, `email:${email}`]);
    const user = await this.#db.findOne(User, { email });
    if (user === null) {
      // The same database and bcrypt work as a wrong password: timing does not reveal whether the email is registered.
      await this.#failedChecks.reserveDecoy();
      await this.#deps.hasher.verifyDecoy(input.password);
      throw new InvalidCredentialsError();
    }
    const slot = await this.#failedChecks.reserve(user.id);
    if (!slot.granted) throw new RateLimitedError(slot.retryAfterSeconds);
    const match = await this.#deps.hasher.verify(input.password, user.password, user.passwordNormalized);
    if (match === 'mismatch') {
      await this.#failedChecks.failed(user.id, slot);
      throw new InvalidCredentialsError();
    }
    await this.#failedChecks.succeeded(user.id);
    if (this.#deps.hasher.needsRehash(user.password, match, user.passwordNormalized)) {
      // Transparent upgrade to the configured cost; only if nobody changed the hash meanwhile.
      const upgraded = await this.#deps.hasher.hash(input.password);
      await this.#db.nativeUpdate(User, { id: user.id, password: user.password }, { password: upgraded, passwordNormalized: true });
    }
    return this.#session(user);
  }

  async changePassword(session: Authentication, input: ChangePasswordInput, client: Client): Promise<PasswordChange> {
    // The signature is enough to know whose limit to count: refusals cost no database work.
    // The session version is part of the key, so a revoked token (older version)
    // cannot use up the limit of the owner's current sessions.
    const claims = session.claims;
    if (claims === null) throw new InvalidSessionError();
    await this.#consume('changePassword', [`account:${claims.userId}:v${claims.sessionVersion}`, `address:${client.address}`]);
    const viewer = await session.user();
    if (viewer === null) throw new InvalidSessionError();
    const newPassword = normalizePassword(input.newPassword);
    this.#enforcePolicy(newPassword, viewer.email);

    const verifiedHash = viewer.password;
    const slot = await this.#failedChecks.reserve(viewer.id);
    if (!slot.granted) throw new RateLimitedError(slot.retryAfterSeconds);
    if ((await this.#deps.hasher.verify(input.currentPassword, verifiedHash, viewer.passwordNormalized)) === 'mismatch') {
      await this.#failedChecks.failed(viewer.id, slot);
      throw new IncorrectPasswordError();
    }
    // The current password is verified, so comparing what bcrypt reads of both is exact: no second bcrypt call.
    if (sameForBcrypt(input.currentPassword, newPassword)) {
      await this.#failedChecks.succeeded(viewer.id);
      throw new PasswordReusedError();
    }

    const newHash = await this.#deps.hasher.hash(newPassword);
    client.beginWrite?.();
    // Compare-and-set: replace the hash only if it is still the one verified
    // above. Of two concurrent changes one wins; the other sees no row.
    const [updated] = await this.#db.execute<Record<string, unknown>[]>(
      `update "users" set "password" = ?, "password_normalized" = true, "password_changed_at" = now(), "updated_at" = now(),
         "session_version" = "session_version" + ?,
         "failed_password_checks" = 0, "lockouts" = 0, "locked_until" = null
       where "id" = ? and "password" = ?
       returning *`,
      [newHash, input.revokeOtherSessions ? 1 : 0, viewer.id, verifiedHash],
    );
    if (updated === undefined) {
      // A concurrent change won. This check did verify the password, so its slot is released.
      await this.#failedChecks.succeeded(viewer.id);
      throw new IncorrectPasswordError();
    }

    // The row as written (new session version, password_changed_at) becomes this request's entity.
    const user = this.#db.map(User, updated);
    return { success: true, message: 'Password changed successfully.', ...this.#session(user) };
  }

  #session(user: User): Session {
    return { user, ...this.#deps.tokens.issue({ userId: user.id, sessionVersion: user.sessionVersion }) };
  }

  #enforcePolicy(password: string, email: string): void {
    const [first, ...rest] = this.#deps.policy.check(password, email);
    if (first !== undefined) throw new WeakPasswordError([first, ...rest]);
  }

  async #consume(action: LimitedAction, subjects: LimitSubject[]): Promise<void> {
    try {
      const verdict = await this.#deps.limiter.consume(action, subjects);
      if (verdict.limited) throw new RateLimitedError(verdict.retryAfterSeconds);
    } catch (error) {
      // Fail closed: without a working limiter, no password check runs.
      if (error instanceof LimiterUnavailableError) {
        throw new RateLimitedError(5, 'Too many attempts cannot be counted right now. Try again in a few seconds.');
      }
      throw error;
    }
  }
}
