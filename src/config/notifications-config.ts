import { join } from 'node:path';
import { SECURITY_EVENT_KINDS } from '../events/security-event-kind.ts';
import { ConfigError } from './config-error.ts';
import type { NotificationsConfig } from './config-shape.ts';
import type { ConfigValues } from './variables.ts';

function webhookOf(values: ConfigValues): NotificationsConfig['webhook'] {
  if (values.WEBHOOK_URL === undefined) return null;
  if (values.WEBHOOK_SECRET === undefined) throw new ConfigError('Invalid configuration: WEBHOOK_SECRET is required with WEBHOOK_URL');
  return { url: values.WEBHOOK_URL, secret: values.WEBHOOK_SECRET, events: values.WEBHOOK_EVENTS ?? [...SECURITY_EVENT_KINDS] };
}

function emailOf(values: ConfigValues): NotificationsConfig['email'] {
  const { SMTP_URL: smtpUrl, MAIL_FROM: from, ACCOUNT_SECURE_URL: accountSecureUrl, PASSWORD_RESET_URL: passwordResetUrl } = values;
  if (smtpUrl === undefined) return values.NODE_ENV === 'development' ? developmentMail(values) : null;
  if (from === undefined) throw new ConfigError('Invalid configuration: MAIL_FROM is required with SMTP_URL');
  if (accountSecureUrl === undefined) throw new ConfigError('Invalid configuration: ACCOUNT_SECURE_URL is required with SMTP_URL');
  if (passwordResetUrl === undefined) throw new ConfigError('Invalid configuration: PASSWORD_RESET_URL is required with SMTP_URL');
  return {
    delivery: { smtpUrl },
    from,
    accountSecureUrl,
    passwordResetUrl,
    emailVerificationUrl: values.EMAIL_VERIFICATION_URL ?? null,
    emailChangeUrl: values.EMAIL_CHANGE_URL ?? null,
  };
}

/**
 * Development without a mail server: every mail is written to DATA_DIR/mail/
 * as an `.eml` file, its links leading to this server's account page unless
 * set, so "Forgot password" works on a fresh checkout (docs/operations/dev-mail.md).
 * Never in production or tests: only NODE_ENV=development comes here.
 */
function developmentMail(values: ConfigValues): NotificationsConfig['email'] {
  const host = ['0.0.0.0', '::', ''].includes(values.HOST) ? 'localhost' : values.HOST.includes(':') ? `[${values.HOST}]` : values.HOST;
  const page = `http://${host}:${values.PORT}/account`;
  return {
    delivery: { mailDir: join(values.DATA_DIR, 'mail') },
    from: values.MAIL_FROM ?? 'Rekey <no-reply@localhost>',
    accountSecureUrl: values.ACCOUNT_SECURE_URL ?? `${page}#secure={token}`,
    passwordResetUrl: values.PASSWORD_RESET_URL ?? `${page}#reset={token}`,
    emailVerificationUrl: values.EMAIL_VERIFICATION_URL ?? `${page}#verify={token}`,
    emailChangeUrl: values.EMAIL_CHANGE_URL ?? `${page}#change-email={token}`,
  };
}

/** `required` is a promise that every account can verify its address: it needs the email channel and the link. */
function emailAddressOf(values: ConfigValues, email: NotificationsConfig['email']): NotificationsConfig['emailAddress'] {
  if (values.EMAIL_VERIFICATION === 'required' && (email === null || email.emailVerificationUrl === null)) {
    throw new ConfigError('Invalid configuration: EMAIL_VERIFICATION=required needs SMTP_URL and EMAIL_VERIFICATION_URL');
  }
  return { verification: values.EMAIL_VERIFICATION, tokenTtlMs: values.EMAIL_TOKEN_TTL };
}

/** The channels need each other's variables (a URL needs its secret, SMTP its sender and links); the backoff must not shrink. */
export function notificationsOf(values: ConfigValues): NotificationsConfig {
  const webhook = webhookOf(values);
  const email = emailOf(values);
  if (values.OUTBOX_BACKOFF_MAX < values.OUTBOX_BACKOFF_BASE) {
    throw new ConfigError('Invalid configuration: OUTBOX_BACKOFF_MAX must not be shorter than OUTBOX_BACKOFF_BASE');
  }
  return {
    webhook,
    email,
    passwordResetTtlMs: values.PASSWORD_RESET_TTL,
    emailAddress: emailAddressOf(values, email),
    outbox: {
      maxAttempts: values.OUTBOX_MAX_ATTEMPTS,
      backoffBaseMs: values.OUTBOX_BACKOFF_BASE,
      backoffMaxMs: values.OUTBOX_BACKOFF_MAX,
      pollIntervalMs: values.OUTBOX_POLL_INTERVAL,
      claimTimeoutMs: values.OUTBOX_CLAIM_TIMEOUT,
      doneRetentionMs: values.OUTBOX_RETENTION,
    },
    securityEventRetentionMs: values.SECURITY_EVENT_RETENTION,
    sweepIntervalMs: values.RETENTION_SWEEP_INTERVAL,
  };
}
