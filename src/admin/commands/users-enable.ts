import { defineCommand } from '../admin-command.ts';
import { accountRef } from './account-json.ts';
import { emailArgument } from './arguments.ts';

export const command = defineCommand({
  parse: (line) => ({ email: emailArgument(line, 'users enable') }),
  async run({ email }, context) {
    const { user, changed } = await context.accounts().enable(email);
    return {
      text: changed ? `Enabled ${user.email}: it can sign in again.` : `${user.email} was not disabled.`,
      json: { user: accountRef(user), disabled: false, changed },
    };
  },
});
