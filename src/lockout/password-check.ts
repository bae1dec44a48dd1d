import type { Db } from '../db/orm.ts';
import { FailedChecks, type LockoutSettings } from './failed-checks.ts';
import { UserRepository } from '../users/user.repository.ts';

/** What a wrong password did beyond its own event. */
export type FailureConsequence = 'none' | 'account-locked' | 'device-voided' | 'session-revoked';

/**
 * One password check's throttle, reserved before bcrypt (so concurrent checks
 * cannot exceed it) and settled after. Whose count it is depends on who
 * checks: the account's (sign-in by email, a token from the original login),
 * a trusted device's (sign-in with a device token, known-devices.ts) or a
 * session's (changePassword, session-failures.ts), so one kind of failure
 * never shuts out the others.
 */
export interface ReservedCheck {
  /** The password was wrong; runs in the transaction that records the failure. */
  failed(tx: Db): Promise<FailureConsequence>;
  /** The password was right. */
  succeeded(db: Db): Promise<void>;
}

export type Reservation = { granted: true; check: ReservedCheck } | { granted: false; retryAfterSeconds: number };

/** The account's count of consecutive failures (NIST SP 800-63B block, see FailedChecks). */
export async function reserveAccountCheck(db: Db, settings: LockoutSettings, userId: number): Promise<Reservation> {
  const slot = await new FailedChecks(new UserRepository(db), settings).reserve(userId);
  if (!slot.granted) return slot;
  return {
    granted: true,
    check: {
      failed: async (tx) => ((await new FailedChecks(new UserRepository(tx), settings).failed(userId, slot)) ? 'account-locked' : 'none'),
      succeeded: (on) => new FailedChecks(new UserRepository(on), settings).succeeded(userId),
    },
  };
}
