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
  occurredAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  /** The "This wasn't me" link, its single-use token included. */
  secureLink: string;
  secureLinkDays: number;
}

/** "Your password was changed": when, from where, with what, and the way out if it was not the owner. */
export function passwordChangedEmail(details: PasswordChangedDetails): EmailContent {
  const facts: [string, string][] = [
    ['When', when(details.occurredAt)],
    ['Address', printable(details.ipAddress ?? 'unknown')],
    ['Device', deviceName(details.userAgent)],
  ];
  const text = [
    'Hello,',
    '',
    `The password of your account ${details.to} was changed.`,
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
    `The password of your account <strong>${escapeHtml(details.to)}</strong> was changed.`,
    facts.map(([label, value]) => `${label}: ${escapeHtml(value)}`).join('<br>'),
    'If this was you, there is nothing else to do.',
    `<a href="${escapeHtml(details.secureLink)}">This wasn't me</a> — secure your account now. This signs out every device and lets you choose a new password.`,
    `The link works once and expires in ${details.secureLinkDays} days.`,
  ]);
  return { subject: 'Your password was changed', text, html };
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
