import { RotationPendingError } from '../access-tokens/key-administration.ts';
import { KeyDecryptionError } from '../access-tokens/key-encryption.ts';
import { ConfigError } from '../config/config.ts';
import { asServiceUnavailable } from '../db/outage.ts';
import { EmailTakenError, PasswordReusedError, ValidationError } from '../errors/errors.ts';
import { AccountNotFoundError } from '../identity/account-not-found-error.ts';
import { redact } from '../observability/logging.ts';
import { WeakPasswordError } from '../passwords/weak-password-error.ts';

/** Why a command failed, for --json: a stable `code` scripts can branch on, and the operator's line. */
export interface CommandFailure {
  code:
    | 'ACCOUNT_NOT_FOUND'
    | 'EMAIL_TAKEN'
    | 'PASSWORD_REFUSED'
    | 'INVALID_INPUT'
    | 'CONFIGURATION'
    | 'DATABASE_UNAVAILABLE'
    | 'ROTATION_PENDING'
    | 'UNEXPECTED';
  message: string;
}

/** One line for the operator; never a stack trace, never a hash or password. */
export function describeFailure(error: unknown): CommandFailure {
  if (error instanceof WeakPasswordError) {
    return { code: 'PASSWORD_REFUSED', message: `Password refused: ${error.violations.map((violation) => violation.message).join('; ')}.` };
  }
  if (error instanceof PasswordReusedError) return { code: 'PASSWORD_REFUSED', message: `Password refused: ${error.message}` };
  if (error instanceof ValidationError) {
    return { code: 'INVALID_INPUT', message: error.fieldErrors.map((fieldError) => fieldError.message).join('; ') };
  }
  if (error instanceof AccountNotFoundError) return { code: 'ACCOUNT_NOT_FOUND', message: error.message };
  if (error instanceof EmailTakenError) return { code: 'EMAIL_TAKEN', message: error.message };
  if (error instanceof ConfigError || error instanceof KeyDecryptionError) return { code: 'CONFIGURATION', message: error.message };
  if (error instanceof RotationPendingError) return { code: 'ROTATION_PENDING', message: error.message };
  const detail = error instanceof Error ? redact(error.message.split('\n')[0] ?? '') : String(error);
  if (asServiceUnavailable(error)) {
    return { code: 'DATABASE_UNAVAILABLE', message: `The database is unavailable (${detail}). Nothing was changed; try again.` };
  }
  return { code: 'UNEXPECTED', message: `Unexpected error: ${detail}` };
}
