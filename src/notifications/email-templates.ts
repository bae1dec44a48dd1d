import type { SecurityEventKind } from '../events/security-event-kind.ts';
import { deviceName } from '../events/device-name.ts';
import { escapeHtml } from './html.ts';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** Values that came from a client may hold control characters; shown as spaces. */
// \p{Cc} is every C0 and C1 control character (and DEL).
const printable = (text: string) => text.replace(/[\p{Cc}\u2028\u2029]/gu, ' ');

const when = (date: Date) => `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`;

export function htmlDocument(paragraphs: string[]): string {
  return `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${paragraphs.map((p) => `<p>${p}</p>`).join('')}</body></html>`;
}

export interface PasswordChangedDetails {
  to: string;
  /** What changed: PASSWORD_CHANGED (the default), PASSWORD_RESET or a change to the second factor. */
  kind?: SecurityEventKind;
  occurredAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  /** The "This wasn't me" link, its single-use token included. */
  secureLink: string;
  secureLinkDays: number;
}

/** The subject and the sentence of each change these emails tell of. */
const CHANGES: Partial<Record<SecurityEventKind, { subject: string; sentence: (to: string) => string }>> = {
  SECOND_FACTOR_ENABLED: {
    subject: 'Two-step verification was turned on',
    sentence: (to) => `Two-step verification (an authenticator app) was turned on for your account ${to}.`,
  },
  SECOND_FACTOR_DISABLED: {
    subject: 'Two-step verification was turned off',
    sentence: (to) => `Two-step verification was turned off for your account ${to}.`,
  },
  RECOVERY_CODE_USED: {
    subject: 'A recovery code was used',
    sentence: (to) => `One of the recovery codes of your account ${to} was used in place of your authenticator app.`,
  },
};

const PASSWORD_CHANGE = { subject: 'Your password was changed', sentence: (to: string) => `The password of your account ${to} was changed.` };

/** "Your password was changed" (or another change to how the account is protected): when, from where, with what, and the way out. */
export function passwordChangedEmail(details: PasswordChangedDetails): EmailContent {
  const change = (details.kind && CHANGES[details.kind]) || PASSWORD_CHANGE;
  const facts: [string, string][] = [
    ['When', when(details.occurredAt)],
    ['Address', printable(details.ipAddress ?? 'unknown')],
    ['Device', deviceName(details.userAgent)],
  ];
  const text = [
    'Hello,',
    '',
    change.sentence(details.to),
    '',
    ...facts.map(([label, value]) => `${label}: ${value}`),
    '',
    'If this was you, there is nothing else to do.',
    '',
    "This wasn't me: secure your account now. This signs out every device and lets you choose a new password:",
    details.secureLink,
    '',
    `The link works once and expires in ${details.secureLinkDays} days.`,
  ].join('\n');
  const html = htmlDocument([
    'Hello,',
    escapeHtml(change.sentence(details.to)),
    facts.map(([label, value]) => `${label}: ${escapeHtml(value)}`).join('<br>'),
    'If this was you, there is nothing else to do.',
    `<a href="${escapeHtml(details.secureLink)}">This wasn't me</a> — secure your account now. This signs out every device and lets you choose a new password.`,
    `The link works once and expires in ${details.secureLinkDays} days.`,
  ]);
  return { subject: change.subject, text, html };
}

export interface PasswordResetDetails {
  to: string;
  /** PASSWORD_RESET_REQUESTED, or ACCOUNT_SECURED (which sends a fresh reset link). */
  kind: SecurityEventKind;
  resetLink: string;
  resetLinkMinutes: number;
}

/** The reset link, after a reset request or after the account was secured. */
export function passwordResetEmail(details: PasswordResetDetails): EmailContent {
  const secured = details.kind === 'ACCOUNT_SECURED';
  const intro = secured
    ? `Your account ${details.to} was secured: every device was signed out and the old password no longer works.`
    : `Someone asked to reset the password of your account ${details.to}.`;
  const closing = secured ? '' : "If you didn't ask for this, ignore this email: your password stays as it is.";
  const expiry = `The link works once and expires in ${details.resetLinkMinutes} minutes.`;
  const text = ['Hello,', '', intro, '', 'Choose a new password:', details.resetLink, '', expiry, ...(closing ? ['', closing] : [])].join('\n');
  const html = htmlDocument([
    'Hello,',
    escapeHtml(intro),
    `<a href="${escapeHtml(details.resetLink)}">Choose a new password</a>`,
    expiry,
    ...(closing ? [escapeHtml(closing)] : []),
  ]);
  return { subject: secured ? 'Your account was secured' : 'Reset your password', text, html };
}
