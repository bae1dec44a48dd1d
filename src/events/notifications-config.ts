import type { Secret } from '../secrets/secret.ts';
import type { SecurityEventKind } from './security-event-kind.ts';

export type EmailVerificationMode = 'off' | 'optional' | 'required';

export interface EmailAddressSettings {
  /** EMAIL_VERIFICATION. */
  verification: EmailVerificationMode;
  /** EMAIL_TOKEN_TTL: verification and change links. */
  tokenTtlMs: number;
}

/** Security events, the outbox and its channels. */
export interface NotificationsConfig {
  /** Null: no webhook channel. */
  webhook: { url: string; secret: Secret; events: SecurityEventKind[] } | null;
  /** Null: no email channel. */
  email: {
    /** Where mail goes: a mail server, or (development without SMTP_URL) `.eml` files in a directory. */
    delivery: { smtpUrl: Secret } | { mailDir: string };
    from: string;
    /** Contain `{token}`. */
    accountSecureUrl: string;
    passwordResetUrl: string;
    /** Null when unset: no such email is sent. */
    emailVerificationUrl: string | null;
    emailChangeUrl: string | null;
  } | null;
  passwordResetTtlMs: number;
  /** The address's verification and changes (docs/api/email-address.md). */
  emailAddress: EmailAddressSettings;
  outbox: {
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    pollIntervalMs: number;
    /** How long a worker's claim on a message lasts; an abandoned claim is retried after it. */
    claimTimeoutMs: number;
    /** Delivered messages are deleted after this. */
    doneRetentionMs: number;
  };
  securityEventRetentionMs: number;
  /** How often the retention sweep runs in each instance. */
  sweepIntervalMs: number;
}
