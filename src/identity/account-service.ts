import type { Db } from '../db/orm.ts';
import type { DeviceTokenSigner } from '../devices/device-token-signer.ts';
import { KnownDevices } from '../devices/known-devices.ts';
import { EmailTakenError, InvalidCredentialsError, InvalidSessionError, RateLimitedError } from '../errors/errors.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import type { AttemptLimiter, LimitedAction, LimitSubject } from '../limits/attempt-limiter.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import { addressLimitKey } from '../limits/address-key.ts';
import type { LockoutSettings } from '../lockout/failed-checks.ts';
import { reserveAccountCheck, reserveDecoyCheck, type ReservedCheck } from '../lockout/password-check.ts';
import { recordFailedCheck } from '../lockout/record-failed-check.ts';
import type { BreachedPasswords } from '../passwords/breached/breached-passwords.ts';
import {
  PasswordChanges,
  type ChangePasswordInput,
  type PasswordChange,
  type PasswordChangeEverywhere,
} from '../passwords/change-password.ts';
import { enforcePolicy } from '../passwords/enforce-policy.ts';
import type { PasswordHasher } from '../passwords/hashing/password-hasher.ts';
import type { PasswordHistory } from '../passwords/history/password-history.ts';
import { normalizePassword, type PasswordPolicy } from '../passwords/password-policy.ts';
import { RecoveryService } from '../recovery/recovery-service.ts';
import { SecondFactor } from '../second-factor/second-factor.ts';
import type { SecondFactorSettings } from '../second-factor/second-factor-settings.ts';
import { SignInChallenges, type SecondFactorChallenge } from '../second-factor/sign-in-challenges.ts';
import { TotpEnrollment } from '../second-factor/totp-enrollment.ts';
import { Authentication } from '../sessions/authentication.ts';
import type { Client } from '../events/client.ts';
import type { LegacyTokens } from '../sessions/legacy-tokens.ts';
import { SessionService, type SignedIn } from '../sessions/session-service.ts';
import type { SessionSettings } from '../sessions/session-settings.ts';
import type { SessionTokens } from '../access-tokens/session-tokens.ts';
import { isDisabled } from '../users/disabled.ts';
import { normalizeEmail } from '../users/normalize-email.ts';
import type { User } from '../users/user.entity.ts';
import { UserRepository } from '../users/user.repository.ts';
import { verificationEmails, type EmailAddressDeps } from '../email/email-address-deps.ts';
import { EmailChanges } from '../email/email-change.ts';
import { EmailNotVerifiedError } from '../email/email-errors.ts';
import { EmailVerification } from '../email/email-verification.ts';
import type { CallerCredentials } from '../passwords/verify-caller.ts';
import { deleteOwnAccount, type AccountDeleted } from './delete-account.ts';

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
  /** EMAIL_VERIFICATION and the address's links (docs/api/email-address.md). */
  emailAddress: EmailAddressDeps;
  /** TOTP secrets' encryption, the issuer name, the challenge's lifetime. */
  secondFactor: SecondFactorSettings;
}

export type { Client } from '../events/client.ts';
export type { SignedIn } from '../sessions/session-service.ts';
export type { SecondFactorChallenge } from '../second-factor/sign-in-challenges.ts';
export type { ChangePasswordInput, PasswordChange, PasswordChangeEverywhere } from '../passwords/change-password.ts';

export interface SignInInput {
  email: string;
  password: string;
  /** A device token from an earlier sign-in; anything but a trusted one for this email is ignored. */
  deviceToken?: string | null;
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
  readonly #devices: KnownDevices;
  /** Refresh, sign-out, listing and revoking sessions. */
  readonly sessions: SessionService;
  /** Password reset and "This wasn't me" (recovery-service.ts). */
  readonly recovery: RecoveryService;
  /** Changing the password while signed in (passwords/change-password.ts). */
  readonly passwords: PasswordChanges;
  /** Verifying the address (email/email-verification.ts). */
  readonly emailVerification: EmailVerification;
  /** Changing the address (email/email-change.ts). */
  readonly emailChanges: EmailChanges;
  /** The code check other mutations demand when TOTP is on (second-factor/second-factor.ts). */
  readonly secondFactor: SecondFactor;
  /** Turning TOTP on and off, recovery codes (second-factor/totp-enrollment.ts). */
  readonly totp: TotpEnrollment;

  /** `db` is this request's own EntityManager fork. */
  constructor(db: Db, deps: AccountDeps) {
    this.#db = db;
    this.#users = new UserRepository(db);
    this.#deps = deps;
    this.sessions = new SessionService(db, deps);
    this.recovery = new RecoveryService(db, deps);
    this.#devices = new KnownDevices(db, deps.deviceTokens);
    this.secondFactor = new SecondFactor(db, deps, this.sessions);
    this.passwords = new PasswordChanges(db, deps, this.sessions, this.#devices, this.secondFactor);
    this.totp = new TotpEnrollment(db, deps, this.sessions);
    this.emailVerification = new EmailVerification(db, deps);
    this.emailChanges = new EmailChanges(db, deps, this.sessions);
  }

  /** The request's bearer token, to be checked as far as needed (see Authentication). */
  authenticate(token: string | null): Authentication {
    const legacy = this.#deps.legacyTokens ? { tokens: this.#deps.legacyTokens, findUser: (email: string) => this.#users.findByEmail(email) } : null;
    return new Authentication(token, this.#deps.tokens, this.sessions.repository, legacy);
  }

  async signUp(input: { email: string; password: string }, client: Client): Promise<SignedIn> {
    await this.#consume('signUp', [addressLimitKey(client.address)]);
    const email = normalizeEmail(input.email);
    const password = normalizePassword(input.password);
    enforcePolicy(this.#deps.policy, password, email);
    if (await this.#users.emailTaken(email)) throw new EmailTakenError();
    await this.#deps.breached.enforce(password);
    const hash = await this.#deps.hasher.hash(password);
    // The account, its first session and SIGNED_UP commit together. Two sign-ups for
    // one email at once: the database's unique index decides (EmailTakenError).
    return this.#events.transactional(this.#db, async (tx) => {
      const user = await new UserRepository(tx).add(email, hash);
      const signedIn = await this.sessions.on(tx).start(user, client);
      const deviceToken = await this.#devices.on(tx).issue(user);
      const emails = verificationEmails(this.#deps.emailAddress, email);
      await this.#events.record(tx, { user, kind: 'SIGNED_UP', client, sessionId: signedIn.session.id, emails });
      return { ...signedIn, deviceToken };
    });
  }

  /** With TOTP on, a correct password answers a challenge instead of a session (verifySecondFactor completes it). */
  async signIn(input: SignInInput, client: Client): Promise<SignedIn | SecondFactorChallenge> {
    const email = normalizeEmail(input.email);
    // A device trusted for this email counts in its own bucket and failure count,
    // never refused by the email's limit or the account's block (known-devices.ts);
    // and in its address's trusted-sign-in bucket, so many devices at one address
    // cannot run bcrypt without bound (docs/design/lockout-and-devices.md).
    const device = await this.#devices.recognise(input.deviceToken, email);
    if (device !== null) {
      await this.#consume('trustedSignIn', [`device:${device.id}`, addressLimitKey(client.address)]);
      const check = await this.#devices.reserve(device);
      // Null: voided meanwhile, so this sign-in goes the way of any other.
      if (check !== null) return this.#checkSignIn(device.user, input.password, check, client, device.token);
    }
    await this.#consume('signIn', [addressLimitKey(client.address), `email:${email}`]);
    const user = await this.#users.findByEmail(email);
    if (user === null) {
      // The same database and bcrypt work as a wrong password: timing does not reveal whether the email is registered.
      await reserveDecoyCheck(this.#db, this.#deps.lockout);
      await this.#deps.hasher.verifyDecoy(input.password);
      // The transaction a wrong password writes (SIGN_IN_FAILED), undone: flushed like it (docs/design/timing-parity.md).
      await this.#events.transactional(this.#db, (tx) => this.#events.recordNothing(tx, 'SIGN_IN_FAILED'));
      throw new InvalidCredentialsError();
    }
    const reservation = await reserveAccountCheck(this.#db, this.#deps.lockout, user.id);
    if (!reservation.granted) throw new RateLimitedError(reservation.retryAfterSeconds);
    return this.#checkSignIn(user, input.password, reservation.check, client, null);
  }

  /** The password check of a sign-in admitted by `check`; a device that presented its token gets the same one back. */
  async #checkSignIn(user: User, password: string, check: ReservedCheck, client: Client, deviceToken: string | null): Promise<SignedIn | SecondFactorChallenge> {
    const match = await this.#deps.hasher.verify(password, user.password, user.passwordNormalized);
    // A disabled account is refused like a wrong password, after the same work: the answer tells nothing.
    if (match === 'mismatch' || isDisabled(user)) {
      await recordFailedCheck(this.#events, this.#db, { user, check, kind: 'SIGN_IN_FAILED', client });
      throw new InvalidCredentialsError();
    }
    if (this.#deps.hasher.needsRehash(user.password, match, user.passwordNormalized)) {
      // Transparent upgrade to the configured cost; only if nobody changed the hash meanwhile.
      const upgraded = await this.#deps.hasher.hash(password);
      await this.#users.upgradeHash(user.id, user.password, upgraded);
    }
    if (this.#deps.emailAddress.verification === 'required' && !user.emailVerified) await this.#refuseUnverified(user, check, client);
    if (await this.secondFactor.isOn(user.id)) {
      // A trusted device's check is settled (the device proved the password), but the account's
      // stays counted until the code is verified: with the password alone, sign-ins cannot reset
      // the count that wrong codes add to (docs/api/second-factor.md). A device never skips the code.
      if (deviceToken !== null) await check.succeeded(this.#db);
      return new SignInChallenges(this.#db, this.#deps.secondFactor.challengeTtlMs).issue(user.id);
    }
    // The reset failure count, the new session, the device and SIGNED_IN commit together.
    return this.#events.transactional(this.#db, async (tx) => {
      await check.succeeded(tx);
      return this.#completeSignIn(tx, user, client, deviceToken);
    });
  }

  /**
   * The second step of a sign-in with TOTP on: the challenge must be live and
   * the code right (SecondFactor.requireCode: limited, counted against the
   * account, single use); then the challenge is used up in the transaction
   * that starts the session. A challenge used, expired or unknown: InvalidSessionError.
   */
  async verifySecondFactor(input: { challengeToken: string; code: string }, client: Client): Promise<SignedIn> {
    const userId = await new SignInChallenges(this.#db, this.#deps.secondFactor.challengeTtlMs).accountOf(input.challengeToken);
    const user = userId === null ? null : await this.#users.findById(userId);
    if (user === null) throw new InvalidSessionError();
    await this.secondFactor.requireCode(user, input.code, { client, session: null });
    return this.#events.transactional(this.#db, async (tx) => {
      if ((await SignInChallenges.redeem(tx, input.challengeToken)) !== user.id) throw new InvalidSessionError();
      return this.#completeSignIn(tx, user, client, null);
    });
  }

  /** A new session, the device trusted (the token it presented, or a new one) and SIGNED_IN, in the caller's transaction. */
  async #completeSignIn(tx: Db, user: User, client: Client, deviceToken: string | null): Promise<SignedIn> {
    const signedIn = await this.sessions.on(tx).start(user, client);
    const device = deviceToken ?? (await this.#devices.on(tx).issue(user));
    await this.#events.record(tx, { user, kind: 'SIGNED_IN', client, sessionId: signedIn.session.id });
    return { ...signedIn, deviceToken: device };
  }

  /**
   * EMAIL_VERIFICATION=required and the right password for an unverified
   * address: no session; the check counts as a success, and a fresh
   * verification link goes out with EMAIL_VERIFICATION_REQUESTED.
   */
  async #refuseUnverified(user: User, check: ReservedCheck, client: Client): Promise<never> {
    await this.#events.transactional(this.#db, async (tx) => {
      await check.succeeded(tx);
      const emails = verificationEmails(this.#deps.emailAddress, user.email);
      await this.#events.record(tx, { user, kind: 'EMAIL_VERIFICATION_REQUESTED', client, emails });
    });
    throw new EmailNotVerifiedError();
  }

  /** Deletes the caller's account after its password (identity/delete-account.ts). */
  deleteAccount(session: Authentication, credentials: CallerCredentials, client: Client): Promise<AccountDeleted> {
    return deleteOwnAccount(this.#db, this.#deps, this.sessions, session, credentials, client);
  }

  /** See PasswordChanges (passwords/change-password.ts). */
  changePassword(session: Authentication, input: ChangePasswordInput, client: Client): Promise<PasswordChange> {
    return this.passwords.changePassword(session, input, client);
  }

  changePasswordEverywhere(
    session: Authentication,
    input: Omit<ChangePasswordInput, 'revokeOtherSessions'>,
    client: Client,
  ): Promise<PasswordChangeEverywhere> {
    return this.passwords.changePasswordEverywhere(session, input, client);
  }

  get #events(): SecurityEvents {
    return this.#deps.events;
  }

  /** Fail closed: without a working limiter, no password check runs. */
  #consume(action: LimitedAction, subjects: LimitSubject[]): Promise<void> {
    return consumeAttempt(this.#deps.limiter, action, subjects);
  }
}
