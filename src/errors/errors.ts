// Expected failures of the domain. Each has a stable `code`; the GraphQL layer
// lists these classes explicitly, so anything else stays an unexpected error.
import type { ErrorCode } from './error-codes.ts';

export type { ErrorCode } from './error-codes.ts';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;

  /**
   * An expected outcome, answered to the caller and never logged with a
   * stack: none is captured. Capturing one (V8 walks the async frames too)
   * was the largest single cost of a rate-limited request, about 20 µs.
   * A `cause` keeps its own stack.
   */
  constructor(message: string, options?: ErrorOptions) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options);
    Error.stackTraceLimit = limit;
  }
}

export interface FieldError {
  path: string[];
  message: string;
}

export class ValidationError extends DomainError {
  override name = 'ValidationError';
  readonly code = 'VALIDATION_FAILED';
  readonly fieldErrors: FieldError[];
  constructor(fieldErrors: FieldError[]) {
    super(fieldErrors.length === 1 ? `Invalid input: ${fieldErrors[0]?.message}` : 'Invalid input.');
    this.fieldErrors = fieldErrors;
  }
}

export class InvalidSessionError extends DomainError {
  override name = 'InvalidSessionError';
  readonly code = 'INVALID_SESSION';
  constructor() {
    super('Invalid or expired session.');
  }
}

/**
 * A token we signed whose account no longer exists. The same code and message
 * as any invalid session (GraphQL clients cannot tell them apart); the
 * workflow-compatible REST route answers it with 400, as the original did.
 */
export class AccountGoneError extends InvalidSessionError {
  override name = 'AccountGoneError';
}

export class InvalidCredentialsError extends DomainError {
  override name = 'InvalidCredentialsError';
  readonly code = 'INVALID_CREDENTIALS';
  constructor() {
    super('Invalid email or password.');
  }
}

export class IncorrectPasswordError extends DomainError {
  override name = 'IncorrectPasswordError';
  readonly code = 'INCORRECT_PASSWORD';
  constructor() {
    super('Current password is incorrect.');
  }
}

export class PasswordReusedError extends DomainError {
  override name = 'PasswordReusedError';
  readonly code = 'PASSWORD_REUSED';
  constructor() {
    super('New password must be different from current password.');
  }
}

export class EmailTakenError extends DomainError {
  override name = 'EmailTakenError';
  readonly code = 'EMAIL_TAKEN';
  constructor() {
    super('An account with this email already exists.');
  }
}


export class RateLimitedError extends DomainError {
  override name = 'RateLimitedError';
  readonly code = 'RATE_LIMITED';
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message = `Too many attempts. Try again in ${Math.max(1, Math.ceil(retryAfterSeconds))} seconds.`) {
    super(message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/** Not one of the viewer's active sessions; never says whether such a session exists elsewhere. */
export class SessionNotFoundError extends DomainError {
  override name = 'SessionNotFoundError';
  readonly code = 'SESSION_NOT_FOUND';
  constructor() {
    super('Session not found.');
  }
}
