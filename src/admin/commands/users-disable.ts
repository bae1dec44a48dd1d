import { defineCommand } from '../admin-command.ts';
import { accountRef } from './account-json.ts';
import { emailArgument } from './arguments.ts';

export const command = defineCommand({
  parse: (line) => ({ email: emailArgument(line, 'users disable') }),
  async run({ email }, context) {
    const { user, changed, sessionsEnded } = await context.accounts().disable(email);
    const state = changed ? `Disabled ${user.email}` : `${user.email} was already disabled`;
    return {
      text: `${state}: it cannot sign in, and its sessions and tokens have ended (${sessionsEnded} active).`,
      json: { user: accountRef(user), disabled: true, changed, sessionsEnded },
    };
  },
});
