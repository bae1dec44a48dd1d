import { defineCommand } from '../../admin-command.ts';
import { accountRef } from '../account-json.ts';
import { emailArgument } from '../arguments.ts';

export const command = defineCommand({
  parse: (line) => ({ email: emailArgument(line, 'totp-off') }),
  async run({ email }, context) {
    const { user, changed } = await context.accounts().turnOffTotp(email);
    return {
      text: changed
        ? `Two-step verification is off for ${user.email}; the owner is notified (SECOND_FACTOR_DISABLED).`
        : `${user.email} had no two-step verification on; nothing changed.`,
      json: { user: accountRef(user), totp: false, changed },
    };
  },
});
