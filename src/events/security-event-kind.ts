/** Every security-relevant outcome Rekey records (see docs/security-events.md). */
export const SECURITY_EVENT_KINDS = [
  'SIGNED_UP',
  'SIGNED_IN',
  'SIGN_IN_FAILED',
  'PASSWORD_CHANGED',
  'PASSWORD_CHANGE_FAILED',
  'SESSION_REVOKED',
  'SIGNED_OUT',
  'REFRESH_TOKEN_REUSED',
  'ACCOUNT_LOCKED',
  'PASSWORD_RESET_REQUESTED',
  'PASSWORD_RESET',
  'ACCOUNT_SECURED',
  'EMAIL_VERIFICATION_REQUESTED',
  'EMAIL_VERIFIED',
  'EMAIL_CHANGE_REQUESTED',
  'EMAIL_CHANGED',
  'ACCOUNT_DELETED',
  // What an operator did with the admin CLI; the event's userAgent names the operator.
  'ADMIN_PASSWORD_SET',
  'ADMIN_SESSIONS_REVOKED',
  'ADMIN_ACCOUNT_UNLOCKED',
  'ADMIN_ACCOUNT_DISABLED',
  'ADMIN_ACCOUNT_ENABLED',
  'SECOND_FACTOR_ENABLED',
  'SECOND_FACTOR_DISABLED',
  'SECOND_FACTOR_FAILED',
  'RECOVERY_CODE_USED',
  'ACCOUNT_IMPORTED',
] as const;

export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

export function isSecurityEventKind(value: string): value is SecurityEventKind {
  return (SECURITY_EVENT_KINDS as readonly string[]).includes(value);
}
