import type { Db } from '../db/orm.ts';
import { Authentication, type SessionState } from '../sessions/authentication.ts';
import type { AttemptLimiter, LimitedAction, LimitSubject } from '../limits/attempt-limiter.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import {
  AccountGoneError,
  EmailTakenError,
  IncorrectPasswordError,
  InvalidCredentialsError,
  InvalidSessionError,
  PasswordReusedError,
  RateLimitedError,
  WeakPasswordError,
} from '../errors/errors.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { BreachedPasswords } from '../passwords/breached/breached-passwords.ts';
import type { DeviceTokenSigner } from '../devices/device-token-signer.ts';
import { FailedChecks, type LockoutSettings } from '../passwords/lockout/failed-checks.ts';
import { KnownDevices } from '../devices/known-devices.ts';
import { reserveAccountCheck, type ReservedCheck } from '../passwords/lockout/password-check.ts';
import { sameForBcrypt, type PasswordHasher } from '../passwords/hashing/password-hasher.ts';
import type { LegacyTokens } from '../sessions/legacy-tokens.ts';
import type { PasswordHistory } from '../passwords/history/password-history.ts';
import { normalizeEmail } from './normalize-email.ts';
import { normalizePassword, type PasswordPolicy } from '../passwords/password-policy.ts';
import { RecoveryService } from '../recovery/recovery-service.ts';
import type { SessionTokens } from '../sessions/session-tokens.ts';
import { reserveSessionCheck } from '../sessions/session-failures.ts';
import { SessionService, type SignedIn } from '../sessions/session-service.ts';
import type { SessionSettings } from '../sessions/session-settings.ts';
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
  /** BREACHED_PASSWORDS: runs after the cheap rules (and in changePassword after the current password is verified). */
  breached: BreachedPasswords;
  /** PASSWORD_HISTORY. */
  history: PasswordHistory;
  /** Records security events (and queues their notifications) in the transaction of each change. */
  events: SecurityEvents;
  /** LEGACY_JWT_SECRET: tokens from the original login workflow; absent or null refuses them like forged ones. */
  legacyTokens?: LegacyTokens | null;
  /** Signs and reads device tokens (known-devices.ts). */
  deviceTokens: DeviceTokenSigner;
}

/** Who is calling, as far as the transport can tell. */
export interface Client {
  address: string;
  /** The `user-agent` header, bounded (see http/user-agent.ts); stored with sessions and security events. */
  userAgent: string | null;
  /** Called just before a write whose outcome the caller must hear; throws if the caller was already answered. */
  beginWrite?: () => void;
}

export type { SignedIn } from '../sessions/session-service.ts';

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

export interface SignInInput {
  email: string;
  password: string;
  /** A device token from an earlier sign-in; anything but a trusted one for this email is ignored. */
  deviceToken?: string | null;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
  revokeOtherSessions: boolean;
}

export { normalizeEmail } from './normalize-email.ts';

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
  readonly #devices: KnownDevices;
  /** Refresh, sign-out, listing and revoking sessions. */
  readonly sessions: SessionService;
  /** Password reset and "This wasn't me" (recovery-service.ts). */
  readonly recovery: RecoveryService;

  /** `db` is this request's own EntityManager fork. */
  constructor(db: Db, deps: AccountDeps) {
    this.#db = db;
    this.#users = new UserRepository(db);
    this.#deps = deps;
    this.#failedChecks = new FailedChecks(this.#users, deps.lockout);
    this.sessions = new SessionService(db, deps);
    this.recovery = new RecoveryService(db, deps);
    this.#devices = new KnownDevices(db, deps.deviceTokens);
  }

  /** The request's bearer token, to be checked as far as needed (see Authentication). */
  authenticate(token: string | null): Authentication {
    const legacy = this.#deps.legacyTokens ? { tokens: this.#deps.legacyTokens, findUser: (email: string) => this.#users.findByEmail(email) } : null;
    return new Authentication(token, this.#deps.tokens, this.sessions.repository, legacy);
  }

  async signUp(input: { email: string; password: string }, client: Client): Promise<SignedIn> {
    await this.#consume('signUp', [`address:${client.address}`]);
    const email = normalizeEmail(input.email);
    const password = normalizePassword(input.password);
    this.#enforcePolicy(password, email);
    if (await this.#users.emailTaken(email)) throw new EmailTakenError();
    await this.#deps.breached.enforce(password);
    const hash = await this.#deps.hasher.hash(password);
    // The account, its first session and SIGNED_UP commit together. Two sign-ups for
    // one email at once: the database's unique index decides (EmailTakenError).
    return this.#events.transactional(this.#db, async (tx) => {
      const user = await new UserRepository(tx).add(email, hash);
      const signedIn = await this.sessions.on(tx).start(user, client);
      const deviceToken = await this.#devices.on(tx).issue(user);
      await this.#events.record(tx, { user, kind: 'SIGNED_UP', client, sessionId: signedIn.session.id });
      return { ...signedIn, deviceToken };
    });
  }

  async signIn(input: SignInInput, client: Client): Promise<SignedIn> {
    const email = normalizeEmail(input.email);
    // A device trusted for this email counts in its own bucket and failure count,
    // never refused by the email's limit or the account's block (known-devices.ts).
    const device = await this.#devices.recognise(input.deviceToken, email);
    if (device !== null) {
      await this.#consume('signIn', [`device:${device.id}`]);
      const check = await this.#devices.reserve(device);
      // Null: voided meanwhile, so this sign-in goes the way of any other.
      if (check !== null) return this.#checkSignIn(device.user, input.password, check, client, device.token);
    }
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
    const reservation = await reserveAccountCheck(this.#db, this.#deps.lockout, user.id);
    if (!reservation.granted) throw new RateLimitedError(reservation.retryAfterSeconds);
    return this.#checkSignIn(user, input.password, reservation.check, client, null);
  }

  /** The password check of a sign-in admitted by `check`; a device that presented its token gets the same one back. */
  async #checkSignIn(user: User, password: string, check: ReservedCheck, client: Client, deviceToken: string | null): Promise<SignedIn> {
    const match = await this.#deps.hasher.verify(password, user.password, user.passwordNormalized);
    if (match === 'mismatch') {
      await this.#failedCheck(user, check, 'SIGN_IN_FAILED', client);
      throw new InvalidCredentialsError();
    }
    if (this.#deps.hasher.needsRehash(user.password, match, user.passwordNormalized)) {
      // Transparent upgrade to the configured cost; only if nobody changed the hash meanwhile.
      const upgraded = await this.#deps.hasher.hash(password);
      await this.#users.upgradeHash(user.id, user.password, upgraded);
    }
    // The reset failure count, the new session, the device and SIGNED_IN commit together.
    return this.#events.transactional(this.#db, async (tx) => {
      await check.succeeded(tx);
      const signedIn = await this.sessions.on(tx).start(user, client);
      const device = deviceToken ?? (await this.#devices.on(tx).issue(user));
      await this.#events.record(tx, { user, kind: 'SIGNED_IN', client, sessionId: signedIn.session.id });
      return { ...signedIn, deviceToken: device };
    });
  }

  /**
   * GraphQL's change: the caller's session is renewed (its old access and
   * refresh tokens die, fresh ones come back) and, with `revokeOtherSessions`,
   * every other session ends, in the transaction of the password update.
   */
  async changePassword(session: Authentication, input: ChangePasswordInput, client: Client): Promise<PasswordChange> {
    return this.#changePassword(session, input, client, async (sessions, user, current, tx) => {
      let signedIn: SignedIn;
      if (current === null) {
        // A token from the original login has no session to renew; its holder
        // just proved the password, so it gets a fresh session of its own.
        if (input.revokeOtherSessions) await sessions.revokeAll(user, 'password_changed', client);
        signedIn = await sessions.start(user, client);
      } else {
        const renewed = await sessions.renew(user, current.sessionId, current.generation);
        // The caller's session ended meanwhile: nothing is committed.
        if (renewed === null) throw new InvalidSessionError();
        if (input.revokeOtherSessions) await sessions.revokeAll(user, 'password_changed', client, current.sessionId);
        signedIn = renewed;
      }
      // The caller proved the password: its device is trusted (afresh, when the revocation voided every device token).
      const deviceToken = await this.#devices.on(tx).issue(user);
      return { success: true, message: 'Password changed successfully.', ...signedIn, deviceToken };
    });
  }

  /** The workflow-compatible REST route's change: every session of the account ends, the caller's too. */
  async changePasswordEverywhere(
    session: Authentication,
    input: Omit<ChangePasswordInput, 'revokeOtherSessions'>,
    client: Client,
  ): Promise<PasswordChangeEverywhere> {
    return this.#changePassword(session, { ...input, revokeOtherSessions: true }, client, async (sessions, user) => {
      await sessions.revokeAll(user, 'password_changed', client);
      return { success: true, message: 'Password changed successfully.', user };
    });
  }

  async #changePassword<T>(
    session: Authentication,
    input: ChangePasswordInput,
    client: Client,
    /** `current` is null for a token from the original login (no session). */
    afterUpdate: (sessions: SessionService, user: User, current: { sessionId: string; generation: number } | null, tx: Db) => Promise<T>,
  ): Promise<T> {
    if (!session.signed) throw new InvalidSessionError();
    // The session is checked first (one primary-key read), so only a live
    // session's attempts count against the account: a revoked or stolen-then-
    // revoked token cannot use up the owner's limit.
    const state = await this.#signedIn(session);
    const viewer = state.user;
    const current = state.state === 'active' ? { sessionId: state.session.id, generation: state.session.generation } : null;
    const sessionId = current?.sessionId ?? null;
    await this.#consume('changePassword', [`account:${viewer.id}`, `address:${client.address}`]);
    const newPassword = normalizePassword(input.newPassword);
    // Both fields equal: the reuse answer comes first, after the one compare
    // that verifies the current password (the original workflow's order), so
    // an adopted account whose password predates today's policy is told
    // "must be different" rather than a policy rule. Otherwise cheap checks first.
    const reuse = normalizePassword(input.currentPassword) === newPassword;
    if (!reuse) this.#enforcePolicy(newPassword, viewer.email);

    const verifiedHash = viewer.password;
    const check = await this.#reserveChangeCheck(viewer, current, client);
    if ((await this.#deps.hasher.verify(input.currentPassword, verifiedHash, viewer.passwordNormalized)) === 'mismatch') {
      await this.#failedCheck(viewer, check, 'PASSWORD_CHANGE_FAILED', client, sessionId);
      throw new IncorrectPasswordError();
    }
    // The current password is verified, so comparing what bcrypt reads of both is exact: no second bcrypt call.
    if (reuse || sameForBcrypt(input.currentPassword, newPassword)) {
      await check.succeeded(this.#db);
      throw new PasswordReusedError();
    }
    // Only now, for the holder of the password: the breach lookup (a request
    // that would fail anyway makes none) and the history's bcrypt compares.
    try {
      await this.#deps.breached.enforce(newPassword);
      await this.#deps.history.ensureNotReused(this.#db, viewer, newPassword, { compareCurrent: false });
    } catch (error) {
      await check.succeeded(this.#db);
      throw error;
    }

    const newHash = await this.#deps.hasher.hash(newPassword);
    // From here on the caller hears the real outcome, however long the write takes (REQUEST_TIMEOUT stops short).
    client.beginWrite?.();
    // The compare-and-set update, the history row, the session changes and
    // PASSWORD_CHANGED commit together or not at all.
    const outcome = await this.#events.transactional(this.#db, async (tx) => {
      // Compare-and-set against the hash verified above (the repository's update also clears the failure count).
      const user = await new UserRepository(tx).replacePassword({ userId: viewer.id, expectedHash: verifiedHash, newHash });
      if (user === null) return null;
      await this.#deps.history.remember(tx, viewer.id, verifiedHash);
      const result = await afterUpdate(this.sessions.on(tx), user, current, tx);
      await this.#events.record(tx, { user, kind: 'PASSWORD_CHANGED', client, sessionId });
      return { result };
    });
    if (outcome === null) {
      // A concurrent change won. This check did verify the password, so its slot is released;
      // the caller is told "incorrect" (the password is no longer the one it sent), recorded as such.
      await this.#events.transactional(this.#db, async (tx) => {
        await check.succeeded(tx);
        await this.#events.record(tx, { user: viewer, kind: 'PASSWORD_CHANGE_FAILED', client, sessionId });
      });
      throw new IncorrectPasswordError();
    }
    return outcome.result;
  }

  get #events(): SecurityEvents {
    return this.#deps.events;
  }

  /**
   * Whose count a changePassword check spends: the session's (session-failures.ts),
   * so that sign-in failures elsewhere never block it and its own failures never
   * block the account. A token from the original login has no session: the
   * account's count.
   */
  async #reserveChangeCheck(viewer: User, current: { sessionId: string; generation: number } | null, client: Client): Promise<ReservedCheck> {
    if (current === null) {
      const reservation = await reserveAccountCheck(this.#db, this.#deps.lockout, viewer.id);
      if (!reservation.granted) throw new RateLimitedError(reservation.retryAfterSeconds);
      return reservation.check;
    }
    const check = await reserveSessionCheck(this.sessions, viewer, current, client);
    // The session ended meanwhile, or has used up its checks.
    if (check === null) throw new InvalidSessionError();
    return check;
  }

  /**
   * A wrong password: the count's update and its event commit together; the
   * check that starts a block also records ACCOUNT_LOCKED (one that revokes a
   * session records SESSION_REVOKED through the session service).
   */
  async #failedCheck(
    user: User,
    check: ReservedCheck,
    kind: 'SIGN_IN_FAILED' | 'PASSWORD_CHANGE_FAILED',
    client: Client,
    sessionId: string | null = null,
  ): Promise<void> {
    await this.#events.transactional(this.#db, async (tx) => {
      await this.#events.record(tx, { user, kind, client, sessionId });
      if ((await check.failed(tx)) === 'account-locked') await this.#events.record(tx, { user, kind: 'ACCOUNT_LOCKED', client, sessionId });
    });
  }

  /** The signed-in account behind a session or a legacy token, or the domain error that says why there is none. */
  async #signedIn(session: Authentication): Promise<Extract<SessionState, { user: User }>> {
    const state = await session.state();
    if (state.state === 'active' || state.state === 'legacy') return state;
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
