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
  EMAIL_VERIFICATION_REQUESTED: 'Verification link sent',
  EMAIL_VERIFIED: 'Email address verified',
  EMAIL_CHANGE_REQUESTED: 'Change of email address requested',
  EMAIL_CHANGED: 'Email address changed',
  ACCOUNT_DELETED: 'Account deleted',
  SECOND_FACTOR_ENABLED: 'Two-step verification turned on',
  SECOND_FACTOR_DISABLED: 'Two-step verification turned off',
  SECOND_FACTOR_FAILED: 'Wrong verification code or password for two-step verification',
  RECOVERY_CODE_USED: 'A recovery code was used',
};

export function describeEvent(kind) {
  return EVENT_KINDS[kind] ?? kind;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso) {
  return dateFormat.format(new Date(iso));
}
