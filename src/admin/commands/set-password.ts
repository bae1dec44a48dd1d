import { defineCommand } from '../admin-command.ts';
import { accountRef } from './account-json.ts';
import { emailArgument } from './arguments.ts';

export const command = defineCommand({
  readsPassword: true,
  parse: (line) => ({ email: emailArgument(line, 'set-password') }),
  async run({ email }, context) {
    const user = await context.accounts().setPassword(email, context.password ?? '');
    return {
      text: `Password set for ${user.email}; every session of the account is signed out.`,
      json: { user: accountRef(user), sessionsRevoked: true },
    };
  },
});
