import { DomainError } from '../errors/errors.ts';

/**
 * A verification or change-of-address link whose token is unknown, forged,
 * already used, superseded, voided (by a password change, a reset, "This
 * wasn't me" or a change of address) or expired, or whose new address was
 * taken meanwhile: one answer for all.
 */
export class InvalidEmailTokenError extends DomainError {
  override name = 'InvalidEmailTokenError';
  readonly code = 'INVALID_EMAIL_TOKEN';
  constructor() {
    super('This email link is invalid or has expired.');
  }
}

/** EMAIL_VERIFICATION=required: the password was right, but the address is not verified yet; a fresh link was mailed. */
export class EmailNotVerifiedError extends DomainError {
  override name = 'EmailNotVerifiedError';
  readonly code = 'EMAIL_NOT_VERIFIED';
  constructor() {
    super('Verify your email address to sign in: we sent you a new link.');
  }
}
