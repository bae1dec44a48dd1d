import type { Db } from '../db/orm.ts';
import { AccountGoneError, IncorrectPasswordError, InvalidSessionError, RateLimitedError } from '../errors/errors.ts';
import type { SessionClient } from '../events/client.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { AttemptLimiter } from '../limits/attempt-limiter.ts';
import { addressLimitKey } from '../limits/address-key.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import type { LockoutSettings } from '../lockout/failed-checks.ts';
import { reserveAccountCheck, type ReservedCheck } from '../lockout/password-check.ts';
import { recordFailedCheck } from '../lockout/record-failed-check.ts';
import type { PasswordHasher } from './hashing/password-hasher.ts';
import type { Authentication } from '../sessions/authentication.ts';
import { reserveSessionCheck } from '../sessions/session-failures.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { User } from '../users/user.entity.ts';
import { SecondFactor, type SecondFactorDeps } from '../second-factor/second-factor.ts';

export interface CallerCredentials {
  currentPassword: string;
  /** TOTP or recovery code (SPEC "Second factor"); required once the account has TOTP on. */
  secondFactorCode?: string | null;
}

export interface VerifyCallerDeps extends SecondFactorDeps {
  hasher: PasswordHasher;
  events: SecurityEvents;
  limiter: AttemptLimiter;
  lockout: LockoutSettings;
}

/** The signed-in caller who proved its password: its account and session (null for a token of the original login). */
export interface VerifiedCaller {
  user: User;
  sessionId: string | null;
}

/**
 * The proof a signed-in caller gives before changing its address or deleting
 * its account: a live session (or a token of the original login), the
 * `changePassword` limits, one bcrypt compare counted against the session
 * like changePassword's (or the account's, for a legacy token), and the
 * second factor. A wrong password records PASSWORD_CHANGE_FAILED (a failed
 * current-password check) and answers IncorrectPasswordError.
 */
export async function verifyCaller(
  db: Db,
  deps: VerifyCallerDeps,
  sessions: SessionService,
  auth: Authentication,
  credentials: CallerCredentials,
  client: SessionClient,
): Promise<VerifiedCaller> {
  if (!auth.signed) throw new InvalidSessionError();
  const state = await auth.state();
  if (state.state !== 'active' && state.state !== 'legacy') throw state.state === 'unknown-user' ? new AccountGoneError() : new InvalidSessionError();
  const user = state.user;
  const current = state.state === 'active' ? { sessionId: state.session.id, generation: state.session.generation } : null;
  await consumeAttempt(deps.limiter, 'changePassword', [`account:${user.id}`, addressLimitKey(client.address)]);
  const check = await reserveCheck(db, deps, sessions, user, current, client);
  if ((await deps.hasher.verify(credentials.currentPassword, user.password, user.passwordNormalized)) === 'mismatch') {
    const sessionId = current?.sessionId ?? null;
    await recordFailedCheck(deps.events, db, { user, check, kind: 'PASSWORD_CHANGE_FAILED', client, sessionId });
    throw new IncorrectPasswordError();
  }
  await check.succeeded(db);
  // Last, as changePassword does: a request refused for another reason does not use the code up.
  await new SecondFactor(db, deps, sessions).requireCode(user, credentials.secondFactorCode ?? null, { client, session: current });
  return { user, sessionId: current?.sessionId ?? null };
}

async function reserveCheck(
  db: Db,
  deps: VerifyCallerDeps,
  sessions: SessionService,
  user: User,
  current: { sessionId: string; generation: number } | null,
  client: SessionClient,
): Promise<ReservedCheck> {
  if (current === null) {
    const reservation = await reserveAccountCheck(db, deps.lockout, user.id);
    if (!reservation.granted) throw new RateLimitedError(reservation.retryAfterSeconds);
    return reservation.check;
  }
  const check = await reserveSessionCheck(sessions, user, current, client);
  if (check === null) throw new InvalidSessionError();
  return check;
}
