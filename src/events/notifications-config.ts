import type { Secret } from '../secrets/secret.ts';
import type { SecurityEventKind } from './security-event-kind.ts';

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
  } | null;
  passwordResetTtlMs: number;
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
