import type { PasswordPolicy } from './password-policy.ts';
import { WeakPasswordError } from './weak-password-error.ts';

/** The policy's cheap rules for a new password: throws WeakPasswordError listing every broken rule. */
export function enforcePolicy(policy: PasswordPolicy, password: string, email: string): void {
  const [first, ...rest] = policy.check(password, email);
  if (first !== undefined) throw new WeakPasswordError([first, ...rest]);
}
