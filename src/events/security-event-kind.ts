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
  'ACCOUNT_IMPORTED',
] as const;

export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

export function isSecurityEventKind(value: string): value is SecurityEventKind {
  return (SECURITY_EVENT_KINDS as readonly string[]).includes(value);
}
