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

/**
 * The reservation commits before bcrypt, without waiting for its flush: the
 * transaction that settles the check (its event) is the one flushed, so a
 * wrong password flushes one commit, as an unknown email's decoy does, and a
 * disk busy with flushes cannot tell them apart (docs/design/timing-parity.md).
 * A crash may forget the last moment's reservations: a few more checks for
 * an attacker who can crash the database, no lost change of state.
 */
function withoutFlush<T>(db: Db, work: (failedChecks: FailedChecks) => Promise<T>, settings: LockoutSettings): Promise<T> {
  return db.transactional(async (tx) => {
    await tx.execute('set local synchronous_commit = off');
    return work(new FailedChecks(new UserRepository(tx), settings));
  });
}

/** The account's count of consecutive failures (NIST SP 800-63B block, see FailedChecks). */
export async function reserveAccountCheck(db: Db, settings: LockoutSettings, userId: number): Promise<Reservation> {
  const slot = await withoutFlush(db, (failedChecks) => failedChecks.reserve(userId), settings);
  if (!slot.granted) return slot;
  return {
    granted: true,
    check: {
      failed: async (tx) => ((await new FailedChecks(new UserRepository(tx), settings).failed(userId, slot)) ? 'account-locked' : 'none'),
      succeeded: (on) => new FailedChecks(new UserRepository(on), settings).succeeded(userId),
    },
  };
}

/** For an email with no account: the same transaction and statement as reserveAccountCheck, matching no row. */
export function reserveDecoyCheck(db: Db, settings: LockoutSettings): Promise<void> {
  return withoutFlush(db, (failedChecks) => failedChecks.reserveDecoy(), settings);
}
