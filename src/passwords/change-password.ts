import type { Db } from '../db/orm.ts';
import type { KnownDevices } from '../devices/known-devices.ts';
import { AccountGoneError, IncorrectPasswordError, InvalidSessionError, PasswordReusedError, RateLimitedError } from '../errors/errors.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { AttemptLimiter } from '../limits/attempt-limiter.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import { addressLimitKey } from '../limits/address-key.ts';
import type { LockoutSettings } from '../lockout/failed-checks.ts';
import { reserveAccountCheck, type ReservedCheck } from '../lockout/password-check.ts';
import { recordFailedCheck } from '../lockout/record-failed-check.ts';
import type { Authentication, SessionState } from '../sessions/authentication.ts';
import type { Client } from '../events/client.ts';
import { reserveSessionCheck } from '../sessions/session-failures.ts';
import type { SessionService, SignedIn } from '../sessions/session-service.ts';
import type { CodeContext, SecondFactor } from '../second-factor/second-factor.ts';
import type { User } from '../users/user.entity.ts';
import type { BreachedPasswords } from './breached/breached-passwords.ts';
import { replaceCredential } from './credential-replacement.ts';
import { enforcePolicy } from './enforce-policy.ts';
import { sameForBcrypt } from './hashing/bcrypt-format.ts';
import type { PasswordHasher } from './hashing/password-hasher.ts';
import type { PasswordHistory } from './history/password-history.ts';
import { normalizePassword, type PasswordPolicy } from './password-policy.ts';

export interface ChangePasswordDeps {
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  /** Runs only after the current password is verified. */
  breached: BreachedPasswords;
  history: PasswordHistory;
  events: SecurityEvents;
  limiter: AttemptLimiter;
  lockout: LockoutSettings;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
  revokeOtherSessions: boolean;
  /** Required when the account has TOTP on (SecondFactor.requireCode): a code or a recovery code. */
  secondFactorCode?: string | null;
}

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

/** The caller's session, or null for a token of the original login (no session). */
type CurrentSession = { sessionId: string; generation: number } | null;

type AfterUpdate<T> = (sessions: SessionService, user: User, current: CurrentSession, tx: Db) => Promise<T>;

/**
 * Changing a password while signed in (docs/api/changing-passwords.md): the
 * session first, then limits, the cheap rules, one bcrypt compare, the
 * breach and history checks, and the compare-and-set update with the
 * session changes and PASSWORD_CHANGED in one transaction.
 */
export class PasswordChanges {
  readonly #db: Db;
  readonly #deps: ChangePasswordDeps;
  readonly #sessions: SessionService;
  readonly #devices: KnownDevices;
  readonly #secondFactor: SecondFactor;

  /** `db` is this request's own EntityManager fork; `sessions`, `devices` and `secondFactor` are bound to it. */
  constructor(db: Db, deps: ChangePasswordDeps, sessions: SessionService, devices: KnownDevices, secondFactor: SecondFactor) {
    this.#db = db;
    this.#deps = deps;
    this.#sessions = sessions;
    this.#devices = devices;
    this.#secondFactor = secondFactor;
  }

  /**
   * GraphQL's change: the caller's session is renewed (its old access and
   * refresh tokens die, fresh ones come back) and, with `revokeOtherSessions`,
   * every other session ends, in the transaction of the password update.
   */
  changePassword(session: Authentication, input: ChangePasswordInput, client: Client): Promise<PasswordChange> {
    return this.#change(session, input, client, async (sessions, user, current, tx) => {
      const signedIn = await this.#continueSession(sessions, user, current, input.revokeOtherSessions, client);
      // The caller proved the password: its device is trusted (afresh, when the revocation voided every device token).
      const deviceToken = await this.#devices.on(tx).issue(user);
      return { success: true, message: 'Password changed successfully.', ...signedIn, deviceToken };
    });
  }

  /** The workflow-compatible REST route's change: every session of the account ends, the caller's too. */
  changePasswordEverywhere(
    session: Authentication,
    input: Omit<ChangePasswordInput, 'revokeOtherSessions'>,
    client: Client,
  ): Promise<PasswordChangeEverywhere> {
    return this.#change(session, { ...input, revokeOtherSessions: true }, client, async (sessions, user) => {
      await sessions.revokeEverywhere(user, 'password_changed', client);
      return { success: true, message: 'Password changed successfully.', user };
    });
  }

  async #continueSession(sessions: SessionService, user: User, current: CurrentSession, revokeOthers: boolean, client: Client): Promise<SignedIn> {
    if (current === null) {
      // A token from the original login has no session to renew; its holder
      // just proved the password, so it gets a fresh session of its own.
      if (revokeOthers) await sessions.revokeEverywhere(user, 'password_changed', client);
      return sessions.start(user, client);
    }
    const renewed = await sessions.renew(user, current.sessionId, current.generation);
    // The caller's session ended meanwhile: nothing is committed.
    if (renewed === null) throw new InvalidSessionError();
    if (revokeOthers) await sessions.revokeEverywhere(user, 'password_changed', client, { exceptId: current.sessionId });
    return renewed;
  }

  async #change<T>(session: Authentication, input: ChangePasswordInput, client: Client, afterUpdate: AfterUpdate<T>): Promise<T> {
    if (!session.signed) throw new InvalidSessionError();
    // The session is checked first (one primary-key read), so only a live
    // session's attempts count against the account: a revoked or stolen-then-
    // revoked token cannot use up the owner's limit.
    const state = await signedInState(session);
    const viewer = state.user;
    const current = state.state === 'active' ? { sessionId: state.session.id, generation: state.session.generation } : null;
    await consumeAttempt(this.#deps.limiter, 'changePassword', [`account:${viewer.id}`, addressLimitKey(client.address)]);
    const newPassword = normalizePassword(input.newPassword);
    // Both fields equal: the reuse answer comes first, after the one compare
    // that verifies the current password (the original workflow's order), so
    // an adopted account whose password predates today's policy is told
    // "must be different" rather than a policy rule. Otherwise cheap checks first.
    const reuse = normalizePassword(input.currentPassword) === newPassword;
    if (!reuse) enforcePolicy(this.#deps.policy, newPassword, viewer.email);
    const check = await this.#verifyCurrentPassword(viewer, input.currentPassword, current, client);
    await this.#acceptNewPassword(viewer, input.currentPassword, newPassword, reuse, check);
    await this.#requireSecondFactor(viewer, input.secondFactorCode, check, { client, session: current });
    const newHash = await this.#deps.hasher.hash(newPassword);
    // From here on the caller hears the real outcome, however long the write takes (REQUEST_TIMEOUT stops short).
    client.beginWrite?.();
    return this.#commit(viewer, newHash, current, check, client, afterUpdate);
  }

  /** One bcrypt compare, counted against the session (or the account, for a legacy token). */
  async #verifyCurrentPassword(viewer: User, currentPassword: string, current: CurrentSession, client: Client): Promise<ReservedCheck> {
    const check = await this.#reserveCheck(viewer, current, client);
    if ((await this.#deps.hasher.verify(currentPassword, viewer.password, viewer.passwordNormalized)) === 'mismatch') {
      const sessionId = current?.sessionId ?? null;
      await recordFailedCheck(this.#deps.events, this.#db, { user: viewer, check, kind: 'PASSWORD_CHANGE_FAILED', client, sessionId });
      throw new IncorrectPasswordError();
    }
    return check;
  }

  /** After the current password is verified: reuse, then the breach lookup and the history's compares. */
  async #acceptNewPassword(viewer: User, currentPassword: string, newPassword: string, reuse: boolean, check: ReservedCheck): Promise<void> {
    try {
      // The current password is verified, so comparing what bcrypt reads of both is exact: no second bcrypt call.
      if (reuse || sameForBcrypt(currentPassword, newPassword)) throw new PasswordReusedError();
      // Only now, for the holder of the password: a request that would fail anyway makes no lookup.
      await this.#deps.breached.enforce(newPassword);
      await this.#deps.history.ensureNotReused(this.#db, viewer, newPassword, { compareCurrent: false });
    } catch (error) {
      await check.succeeded(this.#db);
      throw error;
    }
  }

  /**
   * Last of the checks, so a code is not used up by a request that fails on
   * anything else. The password check is settled first: the code's check is
   * counted on its own (SecondFactor.requireCode).
   */
  async #requireSecondFactor(viewer: User, code: string | null | undefined, check: ReservedCheck, context: CodeContext): Promise<void> {
    if (!(await this.#secondFactor.isOn(viewer.id))) return;
    await check.succeeded(this.#db);
    await this.#secondFactor.requireCode(viewer, code, context);
  }

  /** The compare-and-set update, the session changes and PASSWORD_CHANGED commit together or not at all. */
  async #commit<T>(viewer: User, newHash: string, current: CurrentSession, check: ReservedCheck, client: Client, afterUpdate: AfterUpdate<T>): Promise<T> {
    const sessionId = current?.sessionId ?? null;
    const events = this.#deps.events;
    const outcome = await events.transactional(this.#db, async (tx) => {
      const user = await replaceCredential(tx, this.#deps.history, { userId: viewer.id, expectedHash: viewer.password, newHash });
      if (user === null) return null;
      const result = await afterUpdate(this.#sessions.on(tx), user, current, tx);
      await events.record(tx, { user, kind: 'PASSWORD_CHANGED', client, sessionId });
      return { result };
    });
    if (outcome !== null) return outcome.result;
    // A concurrent change won. This check did verify the password, so its slot is released;
    // the caller is told "incorrect" (the password is no longer the one it sent), recorded as such.
    await events.transactional(this.#db, async (tx) => {
      await check.succeeded(tx);
      await events.record(tx, { user: viewer, kind: 'PASSWORD_CHANGE_FAILED', client, sessionId });
    });
    throw new IncorrectPasswordError();
  }

  /**
   * Whose count a check spends: the session's (session-failures.ts), so that
   * sign-in failures elsewhere never block it and its own failures never
   * block the account. A token from the original login has no session: the
   * account's count.
   */
  async #reserveCheck(viewer: User, current: CurrentSession, client: Client): Promise<ReservedCheck> {
    if (current === null) {
      const reservation = await reserveAccountCheck(this.#db, this.#deps.lockout, viewer.id);
      if (!reservation.granted) throw new RateLimitedError(reservation.retryAfterSeconds);
      return reservation.check;
    }
    const check = await reserveSessionCheck(this.#sessions, viewer, current, client);
    // The session ended meanwhile, or has used up its checks.
    if (check === null) throw new InvalidSessionError();
    return check;
  }
}

/** The signed-in account behind a session or a legacy token, or the domain error that says why there is none. */
async function signedInState(session: Authentication): Promise<Extract<SessionState, { user: User }>> {
  const state = await session.state();
  if (state.state === 'active' || state.state === 'legacy') return state;
  throw state.state === 'unknown-user' ? new AccountGoneError() : new InvalidSessionError();
}
