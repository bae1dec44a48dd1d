import type { Db } from '../db/orm.ts';
import { Authentication } from './authentication.ts';
import { LimiterUnavailableError, type AttemptLimiter, type LimitedAction, type LimitSubject } from '../limits/attempt-limiter.ts';
import {
  AccountGoneError,
  EmailTakenError,
  IncorrectPasswordError,
  InvalidCredentialsError,
  InvalidSessionError,
  PasswordReusedError,
  RateLimitedError,
  WeakPasswordError,
} from './errors.ts';
import { FailedChecks, type LockoutSettings } from './failed-checks.ts';
import type { BreachedPasswords } from './breached/breached-passwords.ts';
import { sameForBcrypt, type PasswordHasher } from './password-hasher.ts';
import type { PasswordHistory } from './password-history.ts';
import { normalizePassword, type PasswordPolicy } from './password-policy.ts';
import type { IssuedToken, SessionTokens } from './session-tokens.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { User } from './user.entity.ts';
import { UserRepository } from './user.repository.ts';

/** What the domain needs that lives longer than a request. */
export interface AccountDeps {
  hasher: PasswordHasher;
  tokens: SessionTokens;
  policy: PasswordPolicy;
  limiter: AttemptLimiter;
  lockout: LockoutSettings;
  /** BREACHED_PASSWORDS: runs after the cheap rules (and in changePassword after the current password is verified). */
  breached: BreachedPasswords;
  /** PASSWORD_HISTORY. */
  history: PasswordHistory;
  /** Records security events (and queues their notifications) in the transaction of each change. */
  events: SecurityEvents;
}

/** Who is calling, as far as the transport can tell. */
export interface Client {
  address: string;
  /** The `user-agent` header, bounded (see http/user-agent.ts); recorded with security events. */
  userAgent: string | null;
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
  readonly #users: UserRepository;
  readonly #deps: AccountDeps;
  readonly #failedChecks: FailedChecks;

  /** `db` is this request's own EntityManager fork. */
  constructor(db: Db, deps: AccountDeps) {
    this.#db = db;
    this.#users = new UserRepository(db);
    this.#deps = deps;
    this.#failedChecks = new FailedChecks(this.#users, deps.lockout);
  }

  /** The request's bearer token, to be checked as far as needed (see Authentication). */
  authenticate(token: string | null): Authentication {
    return new Authentication(token, this.#deps.tokens, this.#users);
  }

  async signUp(input: { email: string; password: string }, client: Client): Promise<Session> {
    await this.#consume('signUp', [`address:${client.address}`]);
    const email = normalizeEmail(input.email);
    const password = normalizePassword(input.password);
    this.#enforcePolicy(password, email);
    if (await this.#users.emailTaken(email)) throw new EmailTakenError();
    await this.#deps.breached.enforce(password);
    const hash = await this.#deps.hasher.hash(password);
    // The account and its SIGNED_UP event commit together. Two sign-ups for one
    // email at once: the database's unique index decides (EmailTakenError).
    const user = await this.#events.transactional(this.#db, async (tx) => {
      const created = await new UserRepository(tx).add(email, hash);
      await this.#events.record(tx, { user: created, kind: 'SIGNED_UP', client });
      return created;
    });
    return this.#session(user);
  }

  async signIn(input: { email: string; password: string }, client: Client): Promise<Session> {
    const email = normalizeEmail(input.email);
    await this.#consume('signIn', [`address:${client.address}`, `email:${email}`]);
    const user = await this.#users.findByEmail(email);
    if (user === null) {
      // The same database and bcrypt work as a wrong password: timing does not reveal whether the email is registered.
      await this.#failedChecks.reserveDecoy();
      await this.#deps.hasher.verifyDecoy(input.password);
        // The transaction a wrong password writes (SIGN_IN_FAILED), writing nothing.
      await this.#events.transactional(this.#db, (tx) => this.#events.recordNothing(tx, 'SIGN_IN_FAILED'));
      throw new InvalidCredentialsError();
    }
    const slot = await this.#failedChecks.reserve(user.id);
    if (!slot.granted) throw new RateLimitedError(slot.retryAfterSeconds);
    const match = await this.#deps.hasher.verify(input.password, user.password);
    if (match === 'mismatch') {
      await this.#failedCheck(user, slot, 'SIGN_IN_FAILED', client);
      throw new InvalidCredentialsError();
    }
    // The reset failure count and SIGNED_IN commit together.
    await this.#events.transactional(this.#db, async (tx) => {
      await this.#failedChecksOn(tx).succeeded(user.id);
      await this.#events.record(tx, { user, kind: 'SIGNED_IN', client });
    });
    if (this.#deps.hasher.needsRehash(user.password, match)) {
      // Transparent upgrade to the configured cost; only if nobody changed the hash meanwhile.
      const upgraded = await this.#deps.hasher.hash(input.password);
      await this.#users.upgradeHash(user.id, user.password, upgraded);
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
    const viewer = await this.#viewer(session);
    const newPassword = normalizePassword(input.newPassword);
    this.#enforcePolicy(newPassword, viewer.email);

    const verifiedHash = viewer.password;
    const slot = await this.#failedChecks.reserve(viewer.id);
    if (!slot.granted) throw new RateLimitedError(slot.retryAfterSeconds);
    if ((await this.#deps.hasher.verify(input.currentPassword, verifiedHash)) === 'mismatch') {
      await this.#failedCheck(viewer, slot, 'PASSWORD_CHANGE_FAILED', client);
      throw new IncorrectPasswordError();
    }
    // The current password is verified, so comparing what bcrypt reads of both is exact: no second bcrypt call.
    if (sameForBcrypt(input.currentPassword, newPassword)) {
      await this.#failedChecks.succeeded(viewer.id);
      throw new PasswordReusedError();
    }
    // Only now, for the holder of the password: the breach lookup (a request
    // that would fail anyway makes none) and the history's bcrypt compares.
    try {
      await this.#deps.breached.enforce(newPassword);
      await this.#deps.history.ensureNotReused(this.#db, viewer, newPassword, { compareCurrent: false });
    } catch (error) {
      await this.#failedChecks.succeeded(viewer.id);
      throw error;
    }

    const newHash = await this.#deps.hasher.hash(newPassword);
    // Compare-and-set against the hash verified above (the update also clears the failure count).
    // The replaced hash joins the password history, and PASSWORD_CHANGED is recorded, in the
    // same transaction, only when the update won.
    const user = await this.#events.transactional(this.#db, async (tx) => {
      const replaced = await new UserRepository(tx).replacePassword({
        userId: viewer.id,
        expectedHash: verifiedHash,
        newHash,
        revokeSessions: input.revokeOtherSessions,
      });
      if (replaced !== null) {
        await this.#deps.history.remember(tx, viewer.id, verifiedHash);
        await this.#events.record(tx, { user: viewer, kind: 'PASSWORD_CHANGED', client });
      }
      return replaced;
    });
    if (user === null) {
      // A concurrent change won. This check did verify the password, so its slot is released;
      // the caller is told "incorrect" (the password is no longer the one it sent), recorded as such.
      await this.#events.transactional(this.#db, async (tx) => {
        await this.#failedChecksOn(tx).succeeded(viewer.id);
        await this.#events.record(tx, { user: viewer, kind: 'PASSWORD_CHANGE_FAILED', client });
      });
      throw new IncorrectPasswordError();
    }
    return { success: true, message: 'Password changed successfully.', ...this.#session(user) };
  }

  /** The signed-in account behind a session, or the domain error that says why there is none. */
  async #viewer(session: Authentication): Promise<User> {
    const state = await session.state();
    if (state.state === 'active') return state.user;
    throw state.state === 'unknown-user' ? new AccountGoneError() : new InvalidSessionError();
  }

  get #events(): SecurityEvents {
    return this.#deps.events;
  }

  #failedChecksOn(tx: Db): FailedChecks {
    return new FailedChecks(new UserRepository(tx), this.#deps.lockout);
  }

  /**
   * A wrong password: the failure count's update and its event commit
   * together; the check that starts a block also records ACCOUNT_LOCKED.
   */
  async #failedCheck(user: User, slot: { reservedCount: number }, kind: 'SIGN_IN_FAILED' | 'PASSWORD_CHANGE_FAILED', client: Client): Promise<void> {
    await this.#events.transactional(this.#db, async (tx) => {
      const locked = await this.#failedChecksOn(tx).failed(user.id, slot);
      await this.#events.record(tx, { user, kind, client });
      if (locked) await this.#events.record(tx, { user, kind: 'ACCOUNT_LOCKED', client });
    });
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
