import { DomainError } from '../errors/errors.ts';
import type { PasswordViolation } from './password-policy.ts';

/** The new password breaks the policy; every broken rule is listed. */
export class WeakPasswordError extends DomainError {
  override name = 'WeakPasswordError';
  readonly code = 'WEAK_PASSWORD';
  readonly violations: PasswordViolation[];
  /** `violations` is never empty; the message is the first one's. */
  constructor(violations: [PasswordViolation, ...PasswordViolation[]]) {
    super(violations[0].message);
    this.violations = violations;
  }
}
