import { randomBytes } from 'node:crypto';
import type { Db } from '../db/orm.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import { AccountTokenRepository, isWellFormedAccountToken } from '../account-tokens/account-token.repository.ts';
import type { BreachedPasswords } from '../passwords/breached/breached-passwords.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import { addressLimitKey } from '../limits/address-key.ts';
import type { DeviceTokenSigner } from '../devices/device-token-signer.ts';
import { KnownDevices } from '../devices/known-devices.ts';
import { replaceCredential, replaceWithUnusableCredential } from '../passwords/credential-replacement.ts';
import { enforcePolicy } from '../passwords/enforce-policy.ts';
import { InvalidResetTokenError } from './invalid-reset-token-error.ts';
import { normalizeEmail } from '../users/normalize-email.ts';
import type { PasswordHasher } from '../passwords/hashing/password-hasher.ts';
import type { PasswordHistory } from '../passwords/history/password-history.ts';
import { normalizePassword, type PasswordPolicy } from '../passwords/password-policy.ts';
import type { Client } from '../events/client.ts';
import { SecondFactor, type SecondFactorDeps } from '../second-factor/second-factor.ts';
import { SessionService, type SessionDeps } from '../sessions/session-service.ts';
import type { User } from '../users/user.entity.ts';
import { UserRepository } from '../users/user.repository.ts';

/** What recovery needs that lives longer than a request (AccountDeps provides it). */
export interface RecoveryDeps extends SessionDeps, SecondFactorDeps {
  hasher: PasswordHasher;
  policy: PasswordPolicy;
  breached: BreachedPasswords;
  history: PasswordHistory;
  events: SecurityEvents;
  /** The browser that completes a recovery becomes a trusted device. */
  deviceTokens: DeviceTokenSigner;
}


export const RESET_REQUESTED_MESSAGE = 'If an account exists for that email, we sent a link to reset its password.';
export const PASSWORD_RESET_MESSAGE = 'Your password has been reset. Sign in with your new password.';
export const ACCOUNT_SECURED_MESSAGE =
  'Your account is secured: every device was signed out and the old password no longer works. We sent you a link to choose a new password.';

export interface ResetRequested {
  success: true;
  message: typeof RESET_REQUESTED_MESSAGE;
}

/**
 * A completed recovery: the device that completed it is trusted from now on
 * (docs/design/lockout-and-devices.md), so its owner's next sign-in is
 * admitted while strangers keep the email's window full or the account blocked.
 */
interface Recovered {
  success: true;
  deviceToken: string;
}

export interface PasswordReset extends Recovered {
  message: typeof PASSWORD_RESET_MESSAGE;
}

export interface AccountSecured extends Recovered {
  message: typeof ACCOUNT_SECURED_MESSAGE;
}

/**
 * Password reset and "This wasn't me" (docs/api/reset-and-recovery.md).
 * The emails' links carry single-use tokens that the outbox
 * worker mints when it sends them (see EmailSender), so a request only
 * records its event: the token never passes through a request, a log or the
 * outbox. Knows nothing of GraphQL or HTTP.
 */
export class RecoveryService {
  readonly #db: Db;
  readonly #deps: RecoveryDeps;
  readonly #sessions: SessionService;

  /** `db` is this request's own EntityManager fork. */
  constructor(db: Db, deps: RecoveryDeps) {
    this.#db = db;
    this.#deps = deps;
    this.#sessions = new SessionService(db, deps);
  }

  /**
   * Records PASSWORD_RESET_REQUESTED, whose email carries the reset link.
   * The answer never tells whether the email has an account, not even by its
   * duration: one lookup answers both ways (the account, or another one to
   * stand in for it), then the same transaction runs the same statements with
   * rows of the same size — for an unknown email against the stand-in, in a
   * savepoint that is rolled back (SecurityEvents.recordOrUndo). Neither path
   * hashes anything, and no delivery starts beside the answer. Counted per
   * address and per email, unknown emails included.
   */
  async requestPasswordReset(emailInput: string, client: Client): Promise<ResetRequested> {
    const email = normalizeEmail(emailInput);
    await consumeAttempt(this.#deps.limiter, 'requestPasswordReset', [addressLimitKey(client.address), `email:${email}`]);
    const account = await new UserRepository(this.#db).findOrStandIn(email);
    // No account at all: nothing to hide.
    if (account !== null) {
      const event = { user: { id: account.id, email }, kind: 'PASSWORD_RESET_REQUESTED', client } as const;
      // Not events.transactional: it wakes this instance's outbox worker, whose delivery would then
      // run beside this answer for a known email only. The worker's next poll (OUTBOX_POLL_INTERVAL)
      // sends the link instead, at a moment that has nothing to do with this request.
      await this.#db.transactional((tx) => this.#deps.events.recordOrUndo(tx, event, { keep: account.found }));
    }
    return { success: true, message: RESET_REQUESTED_MESSAGE };
  }

  /**
   * The order: the token (InvalidResetTokenError), the policy with the
   * account's email, reuse of the current password (and PASSWORD_HISTORY),
   * then the compare-and-set update. The token is only looked at until the
   * write, so a refused new password leaves the link working; the write uses
   * it up, in the transaction that replaces the password, revokes every
   * session, legacy token, device token and other unused emailed link,
   * clears the failure count and any block, trusts the device that reset
   * (its token is in the answer), and records PASSWORD_RESET (whose email
   * says the password was changed, with a "This wasn't me" link). No session
   * is created: the owner signs in.
   */
  async resetPassword(input: { token: string; newPassword: string; secondFactorCode?: string | null }, client: Client): Promise<PasswordReset> {
    await consumeAttempt(this.#deps.limiter, 'redeemAccountToken', [addressLimitKey(client.address)]);
    const { token } = input;
    if (!isWellFormedAccountToken(token)) throw new InvalidResetTokenError();
    const userId = await new AccountTokenRepository(this.#db).find('password_reset', token);
    const account = userId === null ? null : await new UserRepository(this.#db).findById(userId);
    if (account === null) throw new InvalidResetTokenError();

    const newPassword = normalizePassword(input.newPassword);
    enforcePolicy(this.#deps.policy, newPassword, account.email);
    await this.#deps.breached.enforce(newPassword);
    // The current password (PasswordReusedError) and the older ones of PASSWORD_HISTORY, compared concurrently.
    await this.#deps.history.ensureNotReused(this.#db, account, newPassword, { compareCurrent: true });
    // With TOTP on, the link alone is not enough: a mailbox is one factor (docs/api/second-factor.md). Last, so no other refusal uses the code up.
    await new SecondFactor(this.#db, this.#deps, this.#sessions).requireCode(account, input.secondFactorCode, { client, session: null });
    const newHash = await this.#deps.hasher.hash(newPassword);

    client.beginWrite?.();
    const deviceToken = await this.#deps.events.transactional(this.#db, async (tx) => {
      const tokens = new AccountTokenRepository(tx);
      // Of two concurrent resets with one token, one gets the row; the other is refused.
      if ((await tokens.consume('password_reset', token)) !== account.id) throw new InvalidResetTokenError();
      // Compare-and-set against the hash checked for reuse. A change that won meanwhile voided this
      // link anyway (reset links die with any password change), so the answer is the same; nothing commits.
      const user = await replaceCredential(tx, this.#deps.history, { userId: account.id, expectedHash: account.password, newHash });
      if (user === null) throw new InvalidResetTokenError();
      return this.#recovered(tx, user, 'password_reset', client);
    });
    return { success: true, message: PASSWORD_RESET_MESSAGE, deviceToken };
  }

  /**
   * "This wasn't me" (the link in every "Your password was changed" email,
   * single use, 7 days): every session and legacy token ends, the password
   * becomes the hash of a random secret (signing in with the old one fails
   * as a wrong password does, at the same bcrypt cost), the failure count and
   * any block are cleared, every other unused link (reset or "This wasn't
   * me") and device token dies, the device that secured is trusted (its
   * token is in the answer), and ACCOUNT_SECURED is recorded: its email
   * carries a fresh reset link, minted when it is sent.
   */
  async secureAccount(token: string, client: Client): Promise<AccountSecured> {
    await consumeAttempt(this.#deps.limiter, 'redeemAccountToken', [addressLimitKey(client.address)]);
    if (!isWellFormedAccountToken(token)) throw new InvalidResetTokenError();
    // Looked at first, so a forged or used link costs no bcrypt work.
    if ((await new AccountTokenRepository(this.#db).find('secure_account', token)) === null) throw new InvalidResetTokenError();
    const unusableHash = await this.#deps.hasher.hash(randomBytes(32).toString('base64url'));

    client.beginWrite?.();
    const deviceToken = await this.#deps.events.transactional(this.#db, async (tx) => {
      const tokens = new AccountTokenRepository(tx);
      const consumed = await tokens.consumeWithEmail('secure_account', token);
      if (consumed === null) throw new InvalidResetTokenError();
      const secured = await replaceWithUnusableCredential(tx, this.#deps.history, consumed.userId, unusableHash);
      if (secured === null) throw new InvalidResetTokenError();
      const user = await this.#restoreAddress(tx, secured, consumed.email);
      return this.#recovered(tx, user, 'account_secured', client);
    });
    return { success: true, message: ACCOUNT_SECURED_MESSAGE, deviceToken };
  }

  /**
   * A "This wasn't me" link from a change-of-address notice remembers the
   * address it was sent to: the account goes back to it (unless another
   * account took it meanwhile), so the fresh reset link reaches the owner.
   * Pending changes die with every other link in #recovered.
   */
  async #restoreAddress(tx: Db, user: User, oldEmail: string | null): Promise<User> {
    if (oldEmail === null || oldEmail === user.email) return user;
    const users = new UserRepository(tx);
    if (!(await users.revertEmail(user.id, oldEmail))) return user;
    return (await users.findById(user.id)) ?? user;
  }

  /**
   * What both recoveries end with, in their transaction: every other unused
   * link of the account dies (an older "This wasn't me" link must not undo
   * the owner's recovery), every session and device ends, the device that
   * recovered becomes trusted, and the event is recorded. Returns its token.
   */
  async #recovered(tx: Db, user: User, reason: 'password_reset' | 'account_secured', client: Client): Promise<string> {
    await new AccountTokenRepository(tx).voidAllUnused(user.id);
    // A reset link reached the address: it is proved.
    if (reason === 'password_reset') await new UserRepository(tx).markEmailVerified(user.id, user.email);
    await this.#sessions.on(tx).revokeEverywhere(user, reason, client);
    const deviceToken = await new KnownDevices(tx, this.#deps.deviceTokens).issue(user);
    await this.#deps.events.record(tx, { user, kind: reason === 'password_reset' ? 'PASSWORD_RESET' : 'ACCOUNT_SECURED', client });
    return deviceToken;
  }
}
