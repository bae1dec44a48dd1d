import type { ReceivedMail, SmtpSink } from './smtp-sink.ts';
import { waitUntil } from './wait-until.ts';

export interface EmailLink {
  /** The whole link, as the email's text shows it. */
  link: string;
  /** What replaced `{token}` (URL-decoded). */
  token: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The links `urlTemplate` makes: its text around `{token}`, the token being URL-safe characters. */
function linkPattern(urlTemplate: string): RegExp {
  const [before = '', after = ''] = urlTemplate.split('{token}').map(escapeRegExp);
  return new RegExp(`${before}([A-Za-z0-9_~.%-]+)${after}`);
}

/**
 * The link an email carries for `urlTemplate` (a PASSWORD_RESET_URL or
 * ACCOUNT_SECURE_URL such as `https://app.example/account#reset={token}`),
 * read from its plain text; throws when the email has no such link. The HTML
 * part must carry the very same link (its `href`, HTML-escaped).
 */
export function emailLink(mail: ReceivedMail, urlTemplate: string): EmailLink {
  const match = linkPattern(urlTemplate).exec(mail.parsed.text ?? '');
  if (match === null) throw new Error(`No ${urlTemplate} link in the email "${mail.parsed.subject ?? ''}"`);
  const link = match[0];
  const html = String(mail.parsed.html);
  const escapedLink = link.replaceAll('&', '&amp;');
  if (!html.includes(`href="${escapedLink}"`)) throw new Error(`The HTML part of "${mail.parsed.subject ?? ''}" lacks the link of its text`);
  return { link, token: decodeURIComponent(match[1] ?? '') };
}

/** The token of the reset link (`urlTemplate`: the server's PASSWORD_RESET_URL) in a captured email. */
export const resetTokenIn = (mail: ReceivedMail, urlTemplate: string): string => emailLink(mail, urlTemplate).token;

/** The emails `smtp` has received for `to`, oldest first (optionally only those with `subject`). */
export function mailsTo(smtp: SmtpSink, to: string, subject?: string): ReceivedMail[] {
  return smtp.received.filter((mail) => mail.envelopeTo.includes(to) && (subject === undefined || mail.parsed.subject === subject));
}

/**
 * Waits until `smtp` holds at least `count` emails for `to` (with `subject`,
 * when given) and returns the `count`-th, so a test that already saw n
 * emails asks for the (n+1)-th.
 */
export async function waitForMail(smtp: SmtpSink, to: string, { subject, count = 1 }: { subject?: string; count?: number } = {}): Promise<ReceivedMail> {
  return waitUntil(async () => mailsTo(smtp, to, subject)[count - 1], `email ${count} to ${to}${subject ? ` ("${subject}")` : ''} has arrived`);
}

/**
 * Waits for the `count`-th email to `to` that carries a `urlTemplate` link
 * (e.g. the server's PASSWORD_RESET_URL or ACCOUNT_SECURE_URL) and returns
 * that link and its token.
 */
export async function waitForLink(smtp: SmtpSink, to: string, urlTemplate: string, { count = 1 }: { count?: number } = {}): Promise<EmailLink> {
  const pattern = linkPattern(urlTemplate);
  const mail = await waitUntil(
    async () => mailsTo(smtp, to).filter((received) => pattern.test(received.parsed.text ?? ''))[count - 1],
    `email ${count} to ${to} with a ${urlTemplate} link has arrived`,
  );
  return emailLink(mail, urlTemplate);
}
