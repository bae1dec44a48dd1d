import type { Db } from '../db/orm.ts';
import { Authentication } from './authentication.ts';
import type { AttemptLimiter, LimitedAction, LimitSubject } from '../limits/attempt-limiter.ts';
import { consumeAttempt } from './consume-attempt.ts';
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
import { sameForBcrypt, type PasswordHasher } from './password-hasher.ts';
import { normalizePassword, type PasswordPolicy } from './password-policy.ts';
import type { SessionTokens } from './session-tokens.ts';
import { SessionService, type SignedIn } from './session-service.ts';
import type { SessionSettings } from './session-settings.ts';
import type { User } from './user.entity.ts';
import { UserRepository } from './user.repository.ts';

/** What the domain needs that lives longer than a request. */
export interface AccountDeps {
  hasher: PasswordHasher;
  tokens: SessionTokens;
  policy: PasswordPolicy;
  limiter: AttemptLimiter;
  lockout: LockoutSettings;
  sessions: SessionSettings;
}

/** Who is calling, as far as the transport can tell. */
export interface Client {
  address: string;
  /** Stored with a new session for display (bounded there). */
  userAgent?: string | null;
}

export type { SignedIn } from './session-service.ts';

export interface PasswordChange extends SignedIn {
  success: true;
  message: 'Password changed successfully.';
}

/** The REST route's change: every session ends, so there is no token to hand back. */
export interface PasswordChangeEverywhere {
  success: true;
  message: 'Password changed successfully.';
  user: User;
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
  /** Refresh, sign-out, listing and revoking sessions. */
  readonly sessions: SessionService;

  /** `db` is this request's own EntityManager fork. */
  constructor(db: Db, deps: AccountDeps) {
    this.#db = db;
    this.#users = new UserRepository(db);
    this.#deps = deps;
    this.#failedChecks = new FailedChecks(this.#users, deps.lockout);
    this.sessions = new SessionService(db, deps);
  }

  /** The request's bearer token, to be checked as far as needed (see Authentication). */
  authenticate(token: string | null): Authentication {
    return new Authentication(token, this.#deps.tokens, this.sessions.repository);
  }

  async signUp(input: { email: string; password: string }, client: Client): Promise<SignedIn> {
    await this.#consume('signUp', [`address:${client.address}`]);
    const email = normalizeEmail(input.email);
    const password = normalizePassword(input.password);
    this.#enforcePolicy(password, email);
    if (await this.#users.emailTaken(email)) throw new EmailTakenError();
    // Two sign-ups for one email at once: the database's unique index decides.
    const user = await this.#users.add(email, await this.#deps.hasher.hash(password));
    if (user === null) throw new EmailTakenError();
    return this.sessions.start(user, client);
  }

  async signIn(input: { email: string; password: string }, client: Client): Promise<SignedIn> {
    const email = normalizeEmail(input.email);
    await this.#consume('signIn', [`address:${client.address}`, `email:${email}`]);
    const user = await this.#users.findByEmail(email);
    if (user === null) {
      // The same database and bcrypt work as a wrong password: timing does not reveal whether the email is registered.
      await this.#failedChecks.reserveDecoy();
      await this.#deps.hasher.verifyDecoy(input.password);
      throw new InvalidCredentialsError();
    }
    const slot = await this.#failedChecks.reserve(user.id);
    if (!slot.granted) throw new RateLimitedError(slot.retryAfterSeconds);
    const match = await this.#deps.hasher.verify(input.password, user.password);
    if (match === 'mismatch') {
      await this.#failedChecks.failed(user.id, slot);
      throw new InvalidCredentialsError();
    }
    await this.#failedChecks.succeeded(user.id);
    if (this.#deps.hasher.needsRehash(user.password, match)) {
      // Transparent upgrade to the configured cost; only if nobody changed the hash meanwhile.
      const upgraded = await this.#deps.hasher.hash(input.password);
      await this.#users.upgradeHash(user.id, user.password, upgraded);
    }
    return this.sessions.start(user, client);
  }

  /**
   * GraphQL's change: the caller's session is renewed (its old access and
   * refresh tokens die, fresh ones come back) and, with `revokeOtherSessions`,
   * every other session ends, in the transaction of the password update.
   */
  async changePassword(session: Authentication, input: ChangePasswordInput, client: Client): Promise<PasswordChange> {
    return this.#changePassword(session, input, client, async (sessions, user, current) => {
      const renewed = await sessions.renew(user, current.sessionId, current.generation);
      // The caller's session ended meanwhile: nothing is committed.
      if (renewed === null) throw new InvalidSessionError();
      if (input.revokeOtherSessions) await sessions.revokeAll(user.id, 'password_changed', current.sessionId);
      return { success: true, message: 'Password changed successfully.', ...renewed };
    });
  }

  /** The workflow-compatible REST route's change: every session of the account ends, the caller's too. */
  async changePasswordEverywhere(
    session: Authentication,
    input: Omit<ChangePasswordInput, 'revokeOtherSessions'>,
    client: Client,
  ): Promise<PasswordChangeEverywhere> {
    return this.#changePassword(session, { ...input, revokeOtherSessions: true }, client, async (sessions, user) => {
      await sessions.revokeAll(user.id, 'password_changed');
      return { success: true, message: 'Password changed successfully.', user };
    });
  }

  async #changePassword<T>(
    session: Authentication,
    input: ChangePasswordInput,
    client: Client,
    afterUpdate: (sessions: SessionService, user: User, current: { sessionId: string; generation: number }) => Promise<T>,
  ): Promise<T> {
    // The signature is enough to know whose limit to count: refusals cost no database work.
    // The session and its generation are part of the key, so a revoked or
    // renewed token cannot use up the limit of the owner's live sessions.
    const claims = session.claims;
    if (claims === null) throw new InvalidSessionError();
    await this.#consume('changePassword', [`account:${claims.userId}:${claims.sessionId}:g${claims.generation}`, `address:${client.address}`]);
    const viewer = await this.#viewer(session);
    const newPassword = normalizePassword(input.newPassword);
    this.#enforcePolicy(newPassword, viewer.email);

    const verifiedHash = viewer.password;
    const slot = await this.#failedChecks.reserve(viewer.id);
    if (!slot.granted) throw new RateLimitedError(slot.retryAfterSeconds);
    if ((await this.#deps.hasher.verify(input.currentPassword, verifiedHash)) === 'mismatch') {
      await this.#failedChecks.failed(viewer.id, slot);
      throw new IncorrectPasswordError();
    }
    // The current password is verified, so comparing what bcrypt reads of both is exact: no second bcrypt call.
    if (sameForBcrypt(input.currentPassword, newPassword)) {
      await this.#failedChecks.succeeded(viewer.id);
      throw new PasswordReusedError();
    }

    const newHash = await this.#deps.hasher.hash(newPassword);
    const current = { sessionId: claims.sessionId, generation: claims.generation };
    // The compare-and-set update and the session changes commit together or not at all.
    const outcome = await this.#db.transactional(async (tx) => {
      // Compare-and-set against the hash verified above (the repository's update also clears the failure count).
      const user = await new UserRepository(tx).replacePassword({ userId: viewer.id, expectedHash: verifiedHash, newHash });
      if (user === null) return null;
      return { result: await afterUpdate(this.sessions.on(tx), user, current) };
    });
    if (outcome === null) {
      // A concurrent change won. This check did verify the password, so its slot is released.
      await this.#failedChecks.succeeded(viewer.id);
      throw new IncorrectPasswordError();
    }
    return outcome.result;
  }

  /** The signed-in account behind a session, or the domain error that says why there is none. */
  async #viewer(session: Authentication): Promise<User> {
    const state = await session.state();
    if (state.state === 'active') return state.user;
    throw state.state === 'unknown-user' ? new AccountGoneError() : new InvalidSessionError();
  }

  #enforcePolicy(password: string, email: string): void {
    const [first, ...rest] = this.#deps.policy.check(password, email);
    if (first !== undefined) throw new WeakPasswordError([first, ...rest]);
  }

  /** Fail closed: without a working limiter, no password check runs. */
  #consume(action: LimitedAction, subjects: LimitSubject[]): Promise<void> {
    return consumeAttempt(this.#deps.limiter, action, subjects);
  }
}
