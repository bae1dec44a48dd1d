import { z } from 'zod';
import { isSecurityEventKind, type SecurityEventKind } from '../../events/security-event-kind.ts';
import { DAY_MS, duration, linkTemplate, oneOf, secret, url, wholeNumber } from '../parsers.ts';
import { Secret } from '../../secrets/secret.ts';
import { defineGroup } from '../variable.ts';

/** A comma list of security event kinds, at least one. */
const eventKinds = z.string().transform((text, ctx): SecurityEventKind[] => {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.find((name) => !isSecurityEventKind(name));
  if (unknown !== undefined || names.length === 0) {
    ctx.addIssue({ code: 'custom', message: `must list event kinds such as PASSWORD_CHANGED,SIGNED_IN (unknown: "${unknown ?? ''}")` });
    return z.NEVER;
  }
  return names.filter(isSecurityEventKind);
});

/** A bare address, or `Name <address>`: one mailbox, no line breaks, nothing a header could be split with. */
const MAILBOX = /^(?:[^<>\r\n"]{0,100}<([^\s<>@",;]+@[^\s<>@",;]+)>|([^\s<>@",;]+@[^\s<>@",;]+))$/;

const mailbox = z
  .string()
  .transform((text) => text.trim())
  .refine((text) => MAILBOX.test(text), 'must be an address such as Rekey <no-reply@example.com>');

export const notifications = defineGroup('Security events and notifications', {
  WEBHOOK_URL: {
    parse: url(['http:', 'https:']),
    unset: 'unset: no webhook',
    description: '`http(s)://…` that receives every security event',
  },
  WEBHOOK_SECRET: { parse: secret, description: 'required with `WEBHOOK_URL`, at least 32 bytes; signs each delivery' },
  WEBHOOK_EVENTS: {
    parse: eventKinds,
    unset: 'every kind',
    description: 'comma list of kinds to send, e.g. `PASSWORD_CHANGED,ACCOUNT_LOCKED`',
  },
  SMTP_URL: {
    // It may hold the mail server's password.
    parse: url(['smtp:', 'smtps:']).transform((text) => Secret.fromText(text)),
    unset: 'unset: no email',
    description: '`smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`',
  },
  MAIL_FROM: { parse: mailbox, description: 'required with `SMTP_URL`: `Rekey <no-reply@example.com>`' },
  ACCOUNT_SECURE_URL: { parse: linkTemplate, description: 'required with `SMTP_URL`: the "This wasn\'t me" link, with `{token}`' },
  PASSWORD_RESET_URL: { parse: linkTemplate, description: 'required with `SMTP_URL`: the reset link, with `{token}`' },
  PASSWORD_RESET_TTL: { parse: duration(60_000, DAY_MS), default: '30m', description: 'how long a reset link works' },
  EMAIL_VERIFICATION: {
    parse: oneOf(['off', 'optional', 'required']),
    default: 'optional',
    description:
      '`off`: no verification email; `optional`: sign-up mails a verification link (with `EMAIL_VERIFICATION_URL`); `required`: also, an unverified account cannot sign in (`EmailNotVerifiedError`, and a fresh link is mailed)',
  },
  EMAIL_VERIFICATION_URL: {
    parse: linkTemplate,
    unset: 'unset: no verification email (required when `EMAIL_VERIFICATION=required`)',
    description: 'the address verification link, with `{token}`',
  },
  EMAIL_CHANGE_URL: {
    parse: linkTemplate,
    unset: 'unset: `requestEmailChange` is unavailable',
    description: 'the link, sent to the new address, that confirms a change of address, with `{token}`',
  },
  EMAIL_TOKEN_TTL: { parse: duration(60_000, 30 * DAY_MS), default: '24h', description: 'how long a verification or change-of-address link works' },
  OUTBOX_MAX_ATTEMPTS: { parse: wholeNumber(1, 100), default: '12', description: 'delivery attempts before a message is kept as dead' },
  OUTBOX_BACKOFF_BASE: {
    parse: duration(10, 3_600_000),
    default: '1s',
    description: 'wait after the first failed attempt, doubling up to `OUTBOX_BACKOFF_MAX`',
  },
  OUTBOX_BACKOFF_MAX: {
    parse: duration(10, DAY_MS),
    default: '1h',
    description: 'the longest wait between attempts; not shorter than `OUTBOX_BACKOFF_BASE`',
  },
  OUTBOX_POLL_INTERVAL: {
    parse: duration(10, 600_000),
    default: '1s',
    description: 'how often each instance looks for due messages (it also looks right after its own commits)',
  },
  OUTBOX_CLAIM_TIMEOUT: {
    parse: duration(200, 3_600_000),
    default: '60s',
    description: 'a message claimed by an instance that died is retried after this; deliveries time out after `min(10s, half of it)`',
  },
  OUTBOX_RETENTION: { parse: duration(60_000, 3_650 * DAY_MS), default: '7d', description: 'delivered messages are deleted after this' },
  SECURITY_EVENT_RETENTION: {
    parse: duration(DAY_MS, 3_650 * DAY_MS),
    default: '400d',
    description: 'security events (and their messages) are deleted after this',
  },
  RETENTION_SWEEP_INTERVAL: {
    parse: duration(1_000, DAY_MS),
    default: '1h',
    description: 'how often each instance runs the retention sweep',
  },
});
