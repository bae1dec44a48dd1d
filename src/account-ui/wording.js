// What the page says about the server's data: password rules, event kinds, dates.

/**
 * The policy in force as a list of plain sentences, from the `passwordPolicy` query. A new account has
 * no earlier passwords, so the reuse rule is shown only where an account already has one.
 */
export function describePolicy(policy, { existingAccount }) {
  const rules = [`At least ${policy.minLength} characters`];
  rules.push(`At most ${policy.maxBytes} bytes (accented letters and emoji count as 2 to 4)`);
  if (policy.requireUppercase) rules.push('An uppercase letter');
  if (policy.requireLowercase) rules.push('A lowercase letter');
  if (policy.requireDigit) rules.push('A number');
  if (policy.requireSpecial) rules.push('A special character (anything that is not a letter or a number)');
  if (policy.rejectCommon) rules.push('Not a commonly used password');
  if (policy.rejectEmail) rules.push('Not the part of your email address before the @');
  if (policy.rejectBreached) rules.push('Not found in a known data breach (checked without sending your password)');
  if (existingAccount) {
    rules.push(policy.history > 1 ? `Not one of your last ${policy.history} passwords` : 'Different from your current password');
  }
  return rules;
}

const EVENT_KINDS = {
  SIGNED_UP: 'Account created',
  SIGNED_IN: 'Signed in',
  SIGN_IN_FAILED: 'Failed sign-in attempt',
  PASSWORD_CHANGED: 'Password changed',
  PASSWORD_CHANGE_FAILED: 'Failed attempt to change the password',
  SESSION_REVOKED: 'A device was signed out',
  SIGNED_OUT: 'Signed out',
  REFRESH_TOKEN_REUSED: 'A copied session was detected and signed out',
  ACCOUNT_LOCKED: 'Sign-in paused after too many failed attempts',
  PASSWORD_RESET_REQUESTED: 'Password reset requested',
  PASSWORD_RESET: 'Password reset',
  ACCOUNT_SECURED: 'Account secured ("This wasn\u2019t me")',
};

export function describeEvent(kind) {
  return EVENT_KINDS[kind] ?? kind;
}

// Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:HeadlessChrome|Chrome|Chromium|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];
const SYSTEMS = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** A short name for the device a session or event came from ("Firefox on Windows"), from its user agent. */
export function describeDevice(userAgent) {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1];
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  if (browser || system) return browser ?? system;
  // A program rather than a browser (curl/8.5, node): its own first word.
  return /^[\w.-]{1,40}/.exec(userAgent)?.[0] ?? 'Unknown device';
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso) {
  return dateFormat.format(new Date(iso));
}
