import type { EmailContent } from './email-templates.ts';
import { htmlDocument } from './email-templates.ts';
import { escapeHtml } from './html.ts';

/** A line of text, or a link with its words. */
type Part = string | { link: string; words: string };

function compose(subject: string, parts: Part[]): EmailContent {
  const text = ['Hello,', ...parts.map((part) => (typeof part === 'string' ? part : `${part.words}:\n${part.link}`))].join('\n\n');
  const html = htmlDocument([
    'Hello,',
    ...parts.map((part) => (typeof part === 'string' ? escapeHtml(part) : `<a href="${escapeHtml(part.link)}">${escapeHtml(part.words)}</a>`)),
  ]);
  return { subject, text, html };
}

const lasts = (hours: number) => `The link works once and expires in ${hours >= 48 ? `${Math.round(hours / 24)} days` : `${hours} hours`}.`;

/** The verification link, sent at sign-up, on request, and on a sign-in that needs it (docs/api/email-address.md). */
export function emailVerificationEmail(details: { to: string; link: string; hours: number }): EmailContent {
  return compose('Verify your email address', [
    `Confirm that ${details.to} is your address.`,
    { link: details.link, words: 'Verify this address' },
    lasts(details.hours),
    "If you didn't create an account, ignore this email.",
  ]);
}

/** To the new address: the link that completes a change. */
export function emailChangeConfirmEmail(details: { to: string; link: string; hours: number }): EmailContent {
  return compose('Confirm your new email address', [
    `Someone asked to make ${details.to} the address of their account. If it was you, confirm it:`,
    { link: details.link, words: 'Confirm this address' },
    lasts(details.hours),
    "If you didn't ask for this, ignore this email: nothing changes.",
  ]);
}

/** To the current address: a change was asked for; "This wasn't me" stops it, or undoes it once done. */
export function emailChangeNoticeEmail(details: { to: string; newAddress: string; link: string; days: number }): EmailContent {
  return compose('Your email address is about to change', [
    `Someone signed in to your account ${details.to} asked to change its address to ${details.newAddress}. It changes when the link sent to that address is followed.`,
    'If this was you, there is nothing else to do.',
    { link: details.link, words: "This wasn't me: keep my address and secure my account" },
    `It works once within ${details.days} days, even after the change: it brings back this address, signs out every device and lets you choose a new password.`,
  ]);
}

/** To an address that already has an account: someone tried to move another account onto it. */
export function emailChangeTakenEmail(details: { to: string }): EmailContent {
  return compose('Someone tried to use your email address', [
    `Someone asked to make ${details.to} the address of another account. Your account keeps it: nothing changed.`,
    "If it was you, you already have an account with this address: sign in to it instead. If it wasn't, you can ignore this email.",
  ]);
}

/** To both addresses once a change is done. */
export function emailChangedEmail(details: { from: string; to: string }): EmailContent {
  return compose('Your email address was changed', [
    `The address of your account was changed from ${details.from} to ${details.to}.`,
    `If this wasn't you, follow the "This wasn't me" link in the email sent to ${details.from} when the change was asked for.`,
  ]);
}

/** The last email of a deleted account. */
export function accountDeletedEmail(details: { to: string }): EmailContent {
  return compose('Your account was deleted', [
    `Your account ${details.to} and its data were deleted. Goodbye.`,
    'You can create a new account with this address at any time.',
  ]);
}
