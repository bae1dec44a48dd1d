// The reference flow for the benchmark: what a straightforward implementation
// does to refuse "new password equals current", a third bcrypt compare of the
// new password against the stored hash. bench/server.ts plugs it into the
// naive server through createRekey's `createService`.
import bcrypt from 'bcrypt';
import { AccountService, type ChangePasswordInput, type Client, type PasswordChange } from '../../src/identity/account-service.ts';
import { PasswordReusedError } from '../../src/errors/errors.ts';
import { normalizePassword } from '../../src/passwords/password-policy.ts';
import type { Authentication } from '../../src/sessions/authentication.ts';

export class NaiveAccountService extends AccountService {
  /**
   * Rekey's flow plus one bcrypt compare: 3 bcrypt operations per change
   * instead of 2. The extra compare runs first because Rekey's internals are
   * private; the cost per change is the same as doing it after the check.
   */
  override async changePassword(session: Authentication, input: ChangePasswordInput, client: Client): Promise<PasswordChange> {
    const viewer = await session.user();
    if (viewer !== null && (await bcrypt.compare(normalizePassword(input.newPassword), viewer.password))) {
      throw new PasswordReusedError();
    }
    return super.changePassword(session, input, client);
  }
}
