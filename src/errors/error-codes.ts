// The one list of error codes. The GraphQL enum, the GraphQL error types and
// the REST route's statuses are all derived from it through records keyed by
// `ErrorCode`, so a code added here without its mapping is a type error.
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'INVALID_SESSION',
  'INVALID_CREDENTIALS',
  'INCORRECT_PASSWORD',
  'WEAK_PASSWORD',
  'PASSWORD_REUSED',
  'EMAIL_TAKEN',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'SESSION_NOT_FOUND',
  'INVALID_RESET_TOKEN',
  'INVALID_EMAIL_TOKEN',
  'EMAIL_NOT_VERIFIED',
  'SECOND_FACTOR_REQUIRED',
  'INCORRECT_SECOND_FACTOR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
