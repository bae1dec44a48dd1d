import { DomainError } from '../errors/errors.ts';

/** TOTP is on for the account and the request carried no `secondFactorCode`. */
export class SecondFactorRequiredError extends DomainError {
  override name = 'SecondFactorRequiredError';
  readonly code = 'SECOND_FACTOR_REQUIRED';
  constructor() {
    super('A code from your authenticator app (or a recovery code) is required.');
  }
}

/** The code matched neither the authenticator's current window nor an unused recovery code (or was already used). */
export class IncorrectSecondFactorError extends DomainError {
  override name = 'IncorrectSecondFactorError';
  readonly code = 'INCORRECT_SECOND_FACTOR';
  constructor() {
    super('The authentication code is incorrect or was already used.');
  }
}
