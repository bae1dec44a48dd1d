import { DomainError } from '../errors/errors.ts';

/**
 * A reset or "This wasn't me" link whose token is unknown, forged, already
 * used, superseded by a newer one, voided by a password change, or expired:
 * one answer for all, so the answer tells nothing about which.
 */
export class InvalidResetTokenError extends DomainError {
  override name = 'InvalidResetTokenError';
  readonly code = 'INVALID_RESET_TOKEN';
  constructor() {
    super('This password reset link is invalid or has expired.');
  }
}
