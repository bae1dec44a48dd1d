import { createTransport } from 'nodemailer';
import type { AccountTokenRepository } from '../account-tokens/account-token.repository.ts';
import type { EmailPayload } from '../events/security-events.ts';
import type { Secret } from '../secrets/secret.ts';
import { DeliveryError } from './delivery-error.ts';
import { passwordChangedEmail, passwordResetEmail, type EmailContent } from './email-templates.ts';

export interface EmailSettings {
  smtpUrl: Secret;
  from: string;
  accountSecureUrl: string;
  passwordResetUrl: string;
  passwordResetTtlMs: number;
  timeoutMs: number;
}

/** The "This wasn't me" link's lifetime (docs/api/reset-and-recovery.md). */
export const SECURE_ACCOUNT_TTL_MS = 7 * 86_400_000;

/** One plain address: what an account's email may be, and nothing that could add a header or a recipient. */
const RECIPIENT = /^[^\s<>@",;:()[\]\\]+@[^\s<>@",;:()[\]\\]+\.[^\s<>@",;:()[\]\\]+$/;

const linkWith = (template: string, token: string) => template.replaceAll('{token}', encodeURIComponent(token));

/**
 * Sends an event's email over SMTP with nodemailer. The link's single-use
 * token is minted here, at delivery time, so the outbox never stores it; if
 * the send fails the token is discarded and the next attempt mints another.
 */
export class EmailSender {
  readonly #settings: EmailSettings;
  readonly #transport;

  constructor(settings: EmailSettings) {
    this.#settings = settings;
    const timeout = settings.timeoutMs;
    this.#transport = createTransport({
      url: settings.smtpUrl.bytes.toString('utf8'),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      // Messages are built from our templates only: never read files or URLs into them.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(payload: EmailPayload, tokens: AccountTokenRepository): Promise<void> {
    if (!RECIPIENT.test(payload.to)) throw new DeliveryError('Email not sent: the account address is not a plain address');
    const purpose = payload.template === 'password-changed' ? 'secure_account' : 'password_reset';
    const ttlMs = purpose === 'secure_account' ? SECURE_ACCOUNT_TTL_MS : this.#settings.passwordResetTtlMs;
    const minted = await tokens.mint(payload.userId, purpose, ttlMs, new Date(payload.occurredAt));
    const content: EmailContent =
      payload.template === 'password-changed'
        ? passwordChangedEmail({
            to: payload.to,
            kind: payload.kind,
            occurredAt: new Date(payload.occurredAt),
            ipAddress: payload.ipAddress,
            userAgent: payload.userAgent,
            secureLink: linkWith(this.#settings.accountSecureUrl, minted.token),
            secureLinkDays: Math.round(SECURE_ACCOUNT_TTL_MS / 86_400_000),
          })
        : passwordResetEmail({
            to: payload.to,
            kind: payload.kind,
            resetLink: linkWith(this.#settings.passwordResetUrl, minted.token),
            resetLinkMinutes: Math.round(ttlMs / 60_000),
          });
    try {
      await this.#transport.sendMail({ from: this.#settings.from, to: payload.to, ...content });
    } catch (error) {
      await tokens.discard(minted.id).catch(() => undefined);
      throw smtpFailure(error);
    }
  }

  close(): void {
    this.#transport.close();
  }
}

/** nodemailer's error code and the SMTP reply code: enough to act on, nothing the server echoed back. */
function smtpFailure(error: unknown): DeliveryError {
  const fields = typeof error === 'object' && error !== null ? (error as { code?: unknown; responseCode?: unknown }) : {};
  const code = typeof fields.code === 'string' && /^[A-Z0-9_]{1,40}$/.test(fields.code) ? fields.code : 'error';
  const reply = typeof fields.responseCode === 'number' ? ` (SMTP ${fields.responseCode})` : '';
  return new DeliveryError(`Email not sent: ${code}${reply}`);
}
