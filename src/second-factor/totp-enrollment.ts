import type { Db } from '../db/orm.ts';
import { IncorrectPasswordError, InvalidSessionError, ValidationError } from '../errors/errors.ts';
import type { Client } from '../events/client.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import type { ReservedCheck } from '../lockout/password-check.ts';
import { recordFailedCheck } from '../lockout/record-failed-check.ts';
import type { Authentication } from '../sessions/authentication.ts';
import type { SessionService } from '../sessions/session-service.ts';
import type { User } from '../users/user.entity.ts';
import { qrCodeSvg } from './qr-code.ts';
import { RecoveryCodeRepository } from './recovery-code.repository.ts';
import { asRecoveryCode, newRecoveryCodes } from './recovery-codes.ts';
import { reserveFactorCheck, SecondFactor, type CodeContext, type SecondFactorDeps } from './second-factor.ts';
import { IncorrectSecondFactorError } from './second-factor-errors.ts';
import { asTotpCode, newTotpSecret, totpStepOf, totpUri } from './totp.ts';
import { TotpFactorRepository } from './totp-factor.repository.ts';

/** The password hasher as enrolment uses it (passwords/ depends on this folder, not the other way). */
interface PasswordVerifier {
  verify(password: string, hash: string, hashOfNormalized?: boolean): Promise<string>;
}

export interface EnrollmentDeps extends SecondFactorDeps {
  hasher: PasswordVerifier;
}

export interface TotpEnrollmentStarted {
  /** Base32, for typing into an app that cannot scan. */
  secret: string;
  uri: string;
  qrCodeSvg: string;
}

export interface RecoveryCodesIssued {
  /** Shown once: only their keyed hashes are kept. */
  recoveryCodes: string[];
  user: User;
}

type Viewer = { user: User } & CodeContext;

/**
 * Turning TOTP on and off and renewing recovery codes (docs/api/second-factor.md).
 * Enrolment needs the current password and is only on once a correct code
 * confirms it; disabling needs the password and a code; new recovery codes need a code.
 */
export class TotpEnrollment {
  readonly #db: Db;
  readonly #deps: EnrollmentDeps;
  readonly #sessions: SessionService;
  readonly #secondFactor: SecondFactor;

  constructor(db: Db, deps: EnrollmentDeps, sessions: SessionService) {
    this.#db = db;
    this.#deps = deps;
    this.#sessions = sessions;
    this.#secondFactor = new SecondFactor(db, deps, sessions);
  }

  async start(auth: Authentication, currentPassword: string, client: Client): Promise<TotpEnrollmentStarted> {
    const viewer = await this.#viewer(auth, client);
    await this.#verifyPassword(viewer, currentPassword);
    const secret = newTotpSecret();
    const saved = await new TotpFactorRepository(this.#db).savePending(viewer.user.id, this.#deps.secondFactor.box.seal(secret, viewer.user.id));
    if (!saved) throw alreadyOn();
    const uri = totpUri(secret, viewer.user.email, this.#deps.secondFactor.issuer);
    return { secret, uri, qrCodeSvg: await qrCodeSvg(uri) };
  }

  /** The first correct code turns TOTP on and issues the recovery codes, with SECOND_FACTOR_ENABLED, in one transaction. */
  async confirm(auth: Authentication, code: string, client: Client): Promise<RecoveryCodesIssued> {
    const viewer = await this.#viewer(auth, client);
    const factor = await new TotpFactorRepository(this.#db).find(viewer.user.id);
    if (factor === null) throw new ValidationError([{ path: [], message: 'Start the enrolment first (startTotpEnrollment).' }]);
    if (factor.confirmed) throw alreadyOn();
    await consumeAttempt(this.#deps.limiter, 'secondFactor', [`account:${viewer.user.id}`]);
    const check = await this.#reserveCheck(viewer);
    const totpCode = asTotpCode(code);
    const secret = this.#deps.secondFactor.box.open(factor.secretCiphertext, viewer.user.id);
    const step = totpCode === null ? null : totpStepOf(secret, totpCode, Date.now());
    const codes = newRecoveryCodes();
    const confirmed =
      step !== null &&
      (await this.#deps.events.transactional(this.#db, async (tx) => {
        if (!(await new TotpFactorRepository(tx).useStep(viewer.user.id, step, { confirming: true }))) return false;
        await this.#storeCodes(tx, viewer.user.id, codes);
        await this.#deps.events.record(tx, { user: viewer.user, kind: 'SECOND_FACTOR_ENABLED', client, sessionId: viewer.session?.sessionId ?? null });
        return true;
      }));
    if (!confirmed) {
      await recordFailedCheck(this.#deps.events, this.#db, { user: viewer.user, check, kind: 'SECOND_FACTOR_FAILED', client, sessionId: viewer.session?.sessionId ?? null });
      throw new IncorrectSecondFactorError();
    }
    await check.succeeded(this.#db);
    return { recoveryCodes: codes, user: viewer.user };
  }

  /** The password, then a code (or a recovery code); TOTP and the recovery codes go, with SECOND_FACTOR_DISABLED. */
  async disable(auth: Authentication, input: { currentPassword: string; code: string | null }, client: Client): Promise<User> {
    const viewer = await this.#viewer(auth, client);
    await this.#verifyPassword(viewer, input.currentPassword);
    if ((await this.#secondFactor.requireCode(viewer.user, input.code, viewer)) === 'off') {
      // Nothing on: a pending enrolment is dropped, nothing to record.
      await new TotpFactorRepository(this.#db).remove(viewer.user.id);
      return viewer.user;
    }
    await turnOff(this.#deps, this.#db, viewer.user, { client, sessionId: viewer.session?.sessionId ?? null });
    return viewer.user;
  }

  /** A code (or a recovery code) gets ten new recovery codes; the old ones stop working. */
  async regenerateRecoveryCodes(auth: Authentication, code: string, client: Client): Promise<RecoveryCodesIssued> {
    const viewer = await this.#viewer(auth, client);
    if (!(await this.#secondFactor.isOn(viewer.user.id))) throw new ValidationError([{ path: [], message: 'Two-step verification is not on.' }]);
    await this.#secondFactor.requireCode(viewer.user, code, viewer);
    const codes = newRecoveryCodes();
    await this.#db.transactional((tx) => this.#storeCodes(tx, viewer.user.id, codes));
    return { recoveryCodes: codes, user: viewer.user };
  }

  async #storeCodes(tx: Db, userId: number, codes: string[]): Promise<void> {
    const hashes = codes.map((code) => this.#deps.secondFactor.box.hash(asRecoveryCode(code) ?? code));
    await new RecoveryCodeRepository(tx).replace(userId, hashes);
  }

  async #viewer(auth: Authentication, client: Client): Promise<Viewer> {
    if (!auth.signed) throw new InvalidSessionError();
    const state = await auth.state();
    if (state.state === 'active') return { user: state.user, client, session: { sessionId: state.session.id, generation: state.session.generation } };
    if (state.state === 'legacy') return { user: state.user, client, session: null };
    throw new InvalidSessionError();
  }

  /** One bcrypt compare, limited and counted like changePassword's. */
  async #verifyPassword(viewer: Viewer, password: string): Promise<void> {
    await consumeAttempt(this.#deps.limiter, 'secondFactor', [`account:${viewer.user.id}`]);
    const check = await this.#reserveCheck(viewer);
    if ((await this.#deps.hasher.verify(password, viewer.user.password, viewer.user.passwordNormalized)) === 'mismatch') {
      const sessionId = viewer.session?.sessionId ?? null;
      await recordFailedCheck(this.#deps.events, this.#db, { user: viewer.user, check, kind: 'SECOND_FACTOR_FAILED', client: viewer.client, sessionId });
      throw new IncorrectPasswordError();
    }
    await check.succeeded(this.#db);
  }

  #reserveCheck(viewer: Viewer): Promise<ReservedCheck> {
    return reserveFactorCheck(this.#db, this.#deps, this.#sessions, viewer.user, viewer);
  }
}

const alreadyOn = () => new ValidationError([{ path: [], message: 'Two-step verification is already on; turn it off first.' }]);

/**
 * TOTP and the recovery codes go and SECOND_FACTOR_DISABLED is recorded (and
 * notified), in one transaction: the owner's disableTotp, or an operator's
 * `totp-off` for someone who lost every factor.
 */
export async function turnOff(
  deps: Pick<SecondFactorDeps, 'events'>,
  db: Db,
  user: Pick<User, 'id' | 'email'>,
  origin: { client: Client; sessionId: string | null },
): Promise<boolean> {
  return deps.events.transactional(db, async (tx) => {
    const removed = await new TotpFactorRepository(tx).remove(user.id);
    await new RecoveryCodeRepository(tx).removeAll(user.id);
    if (removed) await deps.events.record(tx, { user, kind: 'SECOND_FACTOR_DISABLED', client: origin.client, sessionId: origin.sessionId });
    return removed;
  });
}
