import { defineCommand } from '../admin-command.ts';
import { accountRef } from './account-json.ts';
import { emailArgument } from './arguments.ts';

export const command = defineCommand({
  readsPassword: true,
  parse: (line) => ({ email: emailArgument(line, 'create-user') }),
  async run({ email }, context) {
    const user = await context.accounts().createUser(email, context.password ?? '');
    return {
      text: `Created account ${user.id} for ${user.email}.`,
      json: { user: accountRef(user) },
    };
  },
});
