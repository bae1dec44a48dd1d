import { PasswordReusedError } from '../../errors/errors.ts';

/**
 * The new password is one of the account's last N (PASSWORD_HISTORY) but not
 * the current one: the same PasswordReusedError for clients (docs/api/changing-passwords.md
 * "Password history"), with the history's message.
 */
export class PasswordInHistoryError extends PasswordReusedError {
  override name = 'PasswordInHistoryError';

  constructor(historySize: number) {
    super();
    this.message = `New password must not be one of your last ${historySize} passwords.`;
  }
}
