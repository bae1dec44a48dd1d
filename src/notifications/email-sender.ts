import type { AccountTokenRepository } from '../account-tokens/account-token.repository.ts';
import type { EmailPayload } from '../events/security-events.ts';
import type { Secret } from '../secrets/secret.ts';
import { fileTransport, smtpTransport, type MailTransport, type SentMail } from './mail-transport.ts';
import { DeliveryError } from './delivery-error.ts';
import { passwordChangedEmail, passwordResetEmail, type EmailContent } from './email-templates.ts';
import {
  accountDeletedEmail,
  emailChangeConfirmEmail,
  emailChangedEmail,
  emailChangeNoticeEmail,
  emailChangeTakenEmail,
  emailVerificationEmail,
} from './email-address-templates.ts';
import type { AccountTokenPurpose } from '../account-tokens/account-token.entity.ts';
import type { EmailTemplate } from '../events/security-events.ts';

export interface EmailSettings {
  /** A mail server, or (development without SMTP_URL) a directory of `.eml` files. */
  delivery: { smtpUrl: Secret } | { mailDir: string };
  from: string;
  accountSecureUrl: string;
  passwordResetUrl: string;
  passwordResetTtlMs: number;
  /** EMAIL_VERIFICATION_URL and EMAIL_CHANGE_URL (with `{token}`); null when unset. */
  emailVerificationUrl: string | null;
  emailChangeUrl: string | null;
  /** EMAIL_TOKEN_TTL: verification and change links. */
  emailTokenTtlMs: number;
  timeoutMs: number;
}

/** The link an email carries: its token's purpose, lifetime and URL template, and the address the token is about. */
interface LinkSpec {
  purpose: AccountTokenPurpose;
  ttlMs: number;
  urlTemplate: string | null;
  email: string | null;
}

/** The "This wasn't me" link's lifetime (docs/api/reset-and-recovery.md). */
export const SECURE_ACCOUNT_TTL_MS = 7 * 86_400_000;

/** One plain address: what an account's email may be, and nothing that could add a header or a recipient. */
const RECIPIENT = /^[^\s<>@",;:()[\]\\]+@[^\s<>@",;:()[\]\\]+\.[^\s<>@",;:()[\]\\]+$/;

const linkWith = (template: string, token: string) => template.replaceAll('{token}', encodeURIComponent(token));

/**
 * Sends an event's email with nodemailer (SMTP, or files in development). The link's single-use
 * token is minted here, at delivery time, so the outbox never stores it; if
 * the send fails the token is discarded and the next attempt mints another.
 */
export class EmailSender {
  readonly #settings: EmailSettings;
  readonly #transport: MailTransport;

  constructor(settings: EmailSettings) {
    this.#settings = settings;
    const { delivery } = settings;
    this.#transport = 'mailDir' in delivery ? fileTransport(delivery.mailDir) : smtpTransport(delivery.smtpUrl, settings.timeoutMs);
  }

  /** Sends the mail; for development mail, names the file it was written to. */
  async send(payload: EmailPayload, tokens: AccountTokenRepository): Promise<SentMail> {
    if (!RECIPIENT.test(payload.to)) throw new DeliveryError('Email not sent: the account address is not a plain address');
    const spec = this.#linkOf(payload);
    let minted: { id: string; token: string } | null = null;
    if (spec !== null) {
      if (spec.urlTemplate === null) throw new DeliveryError(`Email not sent: no link is configured for "${payload.template}"`);
      minted = await tokens.mint(payload.userId, spec.purpose, spec.ttlMs, new Date(payload.occurredAt), spec.email);
    }
    const link = spec?.urlTemplate && minted ? linkWith(spec.urlTemplate, minted.token) : '';
    const content = this.#contentOf(payload, link, spec?.ttlMs ?? 0);
    try {
      return await this.#transport.send({ from: this.#settings.from, to: payload.to, ...content });
    } catch (error) {
      if (minted !== null) await tokens.discard(minted.id).catch(() => undefined);
      throw smtpFailure(error);
    }
  }

  /** The single-use link a template carries, if any (minted here, at delivery; see the class comment). */
  #linkOf(payload: EmailPayload): LinkSpec | null {
    const settings = this.#settings;
    const emailLink = (purpose: AccountTokenPurpose, urlTemplate: string | null): LinkSpec => ({
      purpose,
      ttlMs: settings.emailTokenTtlMs,
      urlTemplate,
      email: payload.to,
    });
    const links: Partial<Record<EmailTemplate, LinkSpec>> = {
      'password-changed': { purpose: 'secure_account', ttlMs: SECURE_ACCOUNT_TTL_MS, urlTemplate: settings.accountSecureUrl, email: null },
      'password-reset': { purpose: 'password_reset', ttlMs: settings.passwordResetTtlMs, urlTemplate: settings.passwordResetUrl, email: null },
      'email-verification': emailLink('email_verification', settings.emailVerificationUrl),
      'email-change-confirm': emailLink('email_change', settings.emailChangeUrl),
      // "This wasn't me" for a change of address: it remembers the address to go back to.
      'email-change-notice': { purpose: 'secure_account', ttlMs: SECURE_ACCOUNT_TTL_MS, urlTemplate: settings.accountSecureUrl, email: payload.to },
    };
    return links[payload.template] ?? null;
  }

  #contentOf(payload: EmailPayload, link: string, ttlMs: number): EmailContent {
    const { to } = payload;
    const hours = Math.round(ttlMs / 3_600_000);
    const change = payload.change ?? { from: to, to };
    switch (payload.template) {
      case 'password-changed':
        return passwordChangedEmail({
          to,
          kind: payload.kind,
          occurredAt: new Date(payload.occurredAt),
          ipAddress: payload.ipAddress,
          userAgent: payload.userAgent,
          secureLink: link,
          secureLinkDays: Math.round(ttlMs / 86_400_000),
        });
      case 'password-reset':
        return passwordResetEmail({ to, kind: payload.kind, resetLink: link, resetLinkMinutes: Math.round(ttlMs / 60_000) });
      case 'email-verification':
        return emailVerificationEmail({ to, link, hours });
      case 'email-change-confirm':
        return emailChangeConfirmEmail({ to, link, hours });
      case 'email-change-notice':
        return emailChangeNoticeEmail({ to, newAddress: change.to, link, days: Math.round(ttlMs / 86_400_000) });
      case 'email-change-taken':
        return emailChangeTakenEmail({ to });
      case 'email-changed':
        return emailChangedEmail({ from: change.from, to: change.to });
      case 'account-deleted':
        return accountDeletedEmail({ to });
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
