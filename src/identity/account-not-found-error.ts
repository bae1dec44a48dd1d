/** An operator named an email that has no account. */
export class AccountNotFoundError extends Error {
  override name = 'AccountNotFoundError';
  constructor(email: string) {
    super(`No account with the email ${email}.`);
  }
}
