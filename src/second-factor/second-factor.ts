import type { Db } from '../db/orm.ts';
import { InvalidSessionError, RateLimitedError } from '../errors/errors.ts';
import type { Client } from '../events/client.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { AttemptLimiter } from '../limits/attempt-limiter.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import type { LockoutSettings } from '../lockout/failed-checks.ts';
import { reserveAccountCheck, type ReservedCheck } from '../lockout/password-check.ts';
import { recordFailedCheck } from '../lockout/record-failed-check.ts';
import { reserveSessionCheck } from '../sessions/session-failures.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { User } from '../users/user.entity.ts';
import { RecoveryCodeRepository } from './recovery-code.repository.ts';
import { asRecoveryCode } from './recovery-codes.ts';
import { IncorrectSecondFactorError, SecondFactorRequiredError } from './second-factor-errors.ts';
import type { SecondFactorSettings } from './second-factor-settings.ts';
import { asTotpCode, totpStepOf } from './totp.ts';
import { TotpFactorRepository } from './totp-factor.repository.ts';

export interface SecondFactorDeps {
  secondFactor: SecondFactorSettings;
  limiter: AttemptLimiter;
  lockout: LockoutSettings;
  events: SecurityEvents;
}

/** Who presents a code: the session sending it, or none (a sign-in's challenge, a reset link, a token of the original login). */
export interface CodeContext {
  client: Client;
  session: { sessionId: string; generation: number } | null;
}

/** What a code was accepted as; `off` when the account has no second factor to ask for. */
export type CodeCheck = 'off' | 'totp' | 'recovery-code';

/**
 * The second factor as other features use it (docs/api/second-factor.md):
 * `requireCode` is the one call a mutation makes to demand and check a code
 * when the account has TOTP on. Wrong codes are limited like wrong
 * passwords: SECOND_FACTOR_RATE_LIMIT per window per account (counted
 * before the check, so concurrent guesses cannot exceed it), and as failed
 * checks of the session that sends them (SESSION_FAILURE_LIMIT revokes it)
 * or, without a session, of the account (LOCKOUT_THRESHOLD blocks it).
 */
export class SecondFactor {
  readonly #db: Db;
  readonly #deps: SecondFactorDeps;
  readonly #sessions: SessionService;

  /** `db` is this request's own EntityManager fork; `sessions` is bound to it. */
  constructor(db: Db, deps: SecondFactorDeps, sessions: SessionService) {
    this.#db = db;
    this.#deps = deps;
    this.#sessions = sessions;
  }

  /** Whether the account's TOTP is on (confirmed). */
  isOn(userId: number): Promise<boolean> {
    return new TotpFactorRepository(this.#db).isConfirmed(userId);
  }

  /** `User.secondFactor`. */
  async status(userId: number): Promise<{ totp: boolean; recoveryCodesLeft: number }> {
    const totp = await this.isOn(userId);
    return { totp, recoveryCodesLeft: totp ? await new RecoveryCodeRepository(this.#db).countUnused(userId) : 0 };
  }

  /**
   * With TOTP on: throws SecondFactorRequiredError without a code,
   * RateLimitedError over the limits, IncorrectSecondFactorError for a wrong
   * or reused code (recorded as SECOND_FACTOR_FAILED); a recovery code is
   * used up and RECOVERY_CODE_USED recorded. With TOTP off: 'off', nothing checked.
   */
  async requireCode(user: User, code: string | null | undefined, context: CodeContext): Promise<CodeCheck> {
    if (!(await this.isOn(user.id))) return 'off';
    if (code === null || code === undefined || code.trim() === '') throw new SecondFactorRequiredError();
    await consumeAttempt(this.#deps.limiter, 'secondFactor', [`account:${user.id}`]);
    const check = await reserveFactorCheck(this.#db, this.#deps, this.#sessions, user, context);
    const accepted = await this.#accept(user.id, code);
    const sessionId = context.session?.sessionId ?? null;
    if (accepted === null) {
      await recordFailedCheck(this.#deps.events, this.#db, { user, check, kind: 'SECOND_FACTOR_FAILED', client: context.client, sessionId });
      throw new IncorrectSecondFactorError();
    }
    await check.succeeded(this.#db);
    if (accepted === 'recovery-code') {
      await this.#deps.events.transactional(this.#db, (tx) => this.#deps.events.record(tx, { user, kind: 'RECOVERY_CODE_USED', client: context.client, sessionId }));
    }
    return accepted;
  }

  /** Uses the code once: a TOTP code of a step not used before, or an unused recovery code; null when neither. */
  async #accept(userId: number, code: string): Promise<Exclude<CodeCheck, 'off'> | null> {
    const totpCode = asTotpCode(code);
    if (totpCode !== null) {
      const factor = await new TotpFactorRepository(this.#db).find(userId);
      if (factor === null || !factor.confirmed) return null;
      const step = totpStepOf(this.#deps.secondFactor.box.open(factor.secretCiphertext, userId), totpCode, Date.now());
      const used = step !== null && (await new TotpFactorRepository(this.#db).useStep(userId, step, { confirming: false }));
      return used ? 'totp' : null;
    }
    const recoveryCode = asRecoveryCode(code);
    if (recoveryCode === null) return null;
    return (await new RecoveryCodeRepository(this.#db).use(userId, this.#deps.secondFactor.box.hash(recoveryCode))) ? 'recovery-code' : null;
  }

}

/**
 * A check of a code (or of the password guarding the factor), reserved
 * before it runs: against the session's count when there is a session, else
 * the account's, like a wrong password (docs/design/lockout-and-devices.md).
 */
export async function reserveFactorCheck(
  db: Db,
  deps: Pick<SecondFactorDeps, 'lockout'>,
  sessions: SessionService,
  user: User,
  context: CodeContext,
): Promise<ReservedCheck> {
  if (context.session === null) {
    const reservation = await reserveAccountCheck(db, deps.lockout, user.id);
    if (!reservation.granted) throw new RateLimitedError(reservation.retryAfterSeconds);
    return reservation.check;
  }
  const check = await reserveSessionCheck(sessions, user, context.session, context.client);
  if (check === null) throw new InvalidSessionError();
  return check;
}
