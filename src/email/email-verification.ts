import { AccountTokenRepository, isWellFormedAccountToken } from '../account-tokens/account-token.repository.ts';
import type { Db } from '../db/orm.ts';
import type { Client } from '../events/client.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import { addressLimitKey } from '../limits/address-key.ts';
import type { AttemptLimiter } from '../limits/attempt-limiter.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import { normalizeEmail } from '../users/normalize-email.ts';
import { UserRepository } from '../users/user.repository.ts';
import { verificationEmails, type EmailAddressDeps } from './email-address-deps.ts';
import { InvalidEmailTokenError } from './email-errors.ts';

export const VERIFICATION_REQUESTED_MESSAGE = 'If that address has an account waiting for verification, we sent it a new link.';
export const EMAIL_VERIFIED_MESSAGE = 'Your email address is verified.';

export interface VerificationRequested {
  success: true;
  message: typeof VERIFICATION_REQUESTED_MESSAGE;
}

export interface EmailVerified {
  success: true;
  message: typeof EMAIL_VERIFIED_MESSAGE;
}

export interface EmailVerificationDeps {
  events: SecurityEvents;
  limiter: AttemptLimiter;
  emailAddress: EmailAddressDeps;
}

/**
 * Proving the address (docs/api/email-address.md). The link's token is
 * minted by the outbox worker when the email goes out, like a reset link's.
 */
export class EmailVerification {
  readonly #db: Db;
  readonly #deps: EmailVerificationDeps;

  constructor(db: Db, deps: EmailVerificationDeps) {
    this.#db = db;
    this.#deps = deps;
  }

  /**
   * Mails a fresh link if `emailInput` has an account whose address is not
   * verified yet. Limited and answered like requestPasswordReset (the same
   * bucket): the same answer, and the same work (a stand-in account's event
   * recorded and undone), for every address.
   */
  async requestVerification(emailInput: string, client: Client): Promise<VerificationRequested> {
    const email = normalizeEmail(emailInput);
    await consumeAttempt(this.#deps.limiter, 'requestPasswordReset', [addressLimitKey(client.address), `email:${email}`]);
    const emails = verificationEmails(this.#deps.emailAddress, email);
    const account = emails.length === 0 ? null : await new UserRepository(this.#db).findUnverifiedOrStandIn(email);
    if (account !== null) {
      const event = { user: { id: account.id, email }, kind: 'EMAIL_VERIFICATION_REQUESTED', client, emails } as const;
      // Not events.transactional, for the reason requestPasswordReset gives: no delivery beside this answer.
      await this.#db.transactional((tx) => this.#deps.events.recordOrUndo(tx, event, { keep: account.found }));
    }
    return { success: true, message: VERIFICATION_REQUESTED_MESSAGE };
  }

  /** Uses a verification link: the account's address is verified if it is still the one the link was sent to. */
  async verifyEmail(token: string, client: Client): Promise<EmailVerified> {
    await consumeAttempt(this.#deps.limiter, 'redeemAccountToken', [addressLimitKey(client.address)]);
    if (!isWellFormedAccountToken(token)) throw new InvalidEmailTokenError();
    const events = this.#deps.events;
    return events.transactional(this.#db, async (tx) => {
      const consumed = await new AccountTokenRepository(tx).consumeWithEmail('email_verification', token);
      if (consumed === null || consumed.email === null) throw new InvalidEmailTokenError();
      if (!(await new UserRepository(tx).markEmailVerified(consumed.userId, consumed.email))) throw new InvalidEmailTokenError();
      await events.record(tx, { user: { id: consumed.userId, email: consumed.email }, kind: 'EMAIL_VERIFIED', client });
      return { success: true, message: EMAIL_VERIFIED_MESSAGE };
    });
  }
}
