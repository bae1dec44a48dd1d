import { AccountTokenRepository, isWellFormedAccountToken } from '../account-tokens/account-token.repository.ts';
import type { Db } from '../db/orm.ts';
import { EmailTakenError, ValidationError } from '../errors/errors.ts';
import { ServiceUnavailableError } from '../errors/service-unavailable.ts';
import type { Client } from '../events/client.ts';
import type { EmailIntent } from '../events/security-events.ts';
import { addressLimitKey } from '../limits/address-key.ts';
import { consumeAttempt } from '../limits/consume-attempt.ts';
import { verifyCaller, type CallerCredentials, type VerifyCallerDeps } from '../passwords/verify-caller.ts';
import type { Authentication } from '../sessions/authentication.ts';
import type { SessionService } from '../sessions/session-service.ts';
import { normalizeEmail } from '../users/normalize-email.ts';
import { UserRepository } from '../users/user.repository.ts';
import type { EmailAddressDeps } from './email-address-deps.ts';
import { InvalidEmailTokenError } from './email-errors.ts';

export const EMAIL_CHANGE_REQUESTED_MESSAGE = 'We sent a link to the new address: the change is made when it is followed.';
export const EMAIL_CHANGED_MESSAGE = 'Your email address was changed.';

export interface RequestEmailChangeInput extends CallerCredentials {
  newEmail: string;
}

export interface EmailChangeRequested {
  success: true;
  message: typeof EMAIL_CHANGE_REQUESTED_MESSAGE;
}

export interface EmailChanged {
  success: true;
  message: typeof EMAIL_CHANGED_MESSAGE;
  email: string;
}

export interface EmailChangeDeps extends VerifyCallerDeps {
  emailAddress: EmailAddressDeps;
}

/** The tokens a confirmed change voids: every link sent for the old address but "This wasn't me", which must be able to undo it. */
const VOIDED_BY_CHANGE = ['password_reset', 'email_verification', 'email_change'] as const;

/**
 * Changing the address (docs/api/email-address.md): both addresses hear of
 * it, the new one proves itself with a link, and "This wasn't me" on the
 * notice to the old one stops or undoes it (RecoveryService.secureAccount).
 */
export class EmailChanges {
  readonly #db: Db;
  readonly #deps: EmailChangeDeps;
  readonly #sessions: SessionService;

  constructor(db: Db, deps: EmailChangeDeps, sessions: SessionService) {
    this.#db = db;
    this.#deps = deps;
    this.#sessions = sessions;
  }

  /**
   * After the caller's password (and second factor): the confirmation link
   * to the new address, the notice with "This wasn't me" to the current one,
   * in one EMAIL_CHANGE_REQUESTED. A new address that has an account gets a
   * mail saying someone tried instead of a link; the caller's answer is the
   * same either way. Mails to any one address are limited like reset requests.
   */
  async requestChange(auth: Authentication, input: RequestEmailChangeInput, client: Client): Promise<EmailChangeRequested> {
    if (!this.#deps.emailAddress.sendsChangeLinks) throw new ServiceUnavailableError({ dependency: 'email' });
    const newEmail = normalizeEmail(input.newEmail);
    const { user, sessionId } = await verifyCaller(this.#db, this.#deps, this.#sessions, auth, input, client);
    if (newEmail === user.email) throw new ValidationError([{ path: ['input', 'newEmail'], message: 'This is already your address' }]);
    await consumeAttempt(this.#deps.limiter, 'requestPasswordReset', [`email:${newEmail}`]);
    const taken = await new UserRepository(this.#db).emailTaken(newEmail);
    const change = { from: user.email, to: newEmail };
    const emails: EmailIntent[] = [
      taken ? { template: 'email-change-taken', to: newEmail } : { template: 'email-change-confirm', to: newEmail, change },
      { template: 'email-change-notice', to: user.email, change },
    ];
    client.beginWrite?.();
    const events = this.#deps.events;
    await events.transactional(this.#db, (tx) => events.record(tx, { user, kind: 'EMAIL_CHANGE_REQUESTED', client, sessionId, emails }));
    return { success: true, message: EMAIL_CHANGE_REQUESTED_MESSAGE };
  }

  /**
   * Uses a change link: in one transaction the token is used up, the address
   * switches (the unique index decides between accounts racing for it: the
   * loser is told the link is invalid), the old address's reset,
   * verification and change links die with the original login's tokens, and
   * EMAIL_CHANGED mails both addresses. Sessions are kept.
   */
  async confirmChange(token: string, client: Client): Promise<EmailChanged> {
    await consumeAttempt(this.#deps.limiter, 'redeemAccountToken', [addressLimitKey(client.address)]);
    if (!isWellFormedAccountToken(token)) throw new InvalidEmailTokenError();
    const events = this.#deps.events;
    try {
      return await events.transactional(this.#db, async (tx) => {
        const consumed = await new AccountTokenRepository(tx).consumeWithEmail('email_change', token);
        if (consumed === null || consumed.email === null) throw new InvalidEmailTokenError();
        const users = new UserRepository(tx);
        // Read as a plain value: the entity it comes from is updated in place by changeEmail (one identity map).
        const oldEmail = (await users.findById(consumed.userId))?.email;
        const user = oldEmail === undefined ? null : await users.changeEmail(consumed.userId, consumed.email);
        if (oldEmail === undefined || user === null) throw new InvalidEmailTokenError();
        await new AccountTokenRepository(tx).voidUnused(user.id, VOIDED_BY_CHANGE);
        const change = { from: oldEmail, to: user.email };
        const emails: EmailIntent[] = [change.from, change.to].map((to) => ({ template: 'email-changed', to, change }));
        await events.record(tx, { user, kind: 'EMAIL_CHANGED', client, emails });
        return { success: true, message: EMAIL_CHANGED_MESSAGE, email: user.email };
      });
    } catch (error) {
      if (error instanceof EmailTakenError) throw new InvalidEmailTokenError();
      throw error;
    }
  }
}
