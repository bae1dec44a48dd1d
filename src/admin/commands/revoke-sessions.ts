import { defineCommand } from '../admin-command.ts';
import { accountRef } from './account-json.ts';
import { emailArgument } from './arguments.ts';

export const command = defineCommand({
  parse: (line) => ({ email: emailArgument(line, 'revoke-sessions') }),
  async run({ email }, context) {
    const { user, sessionsEnded } = await context.accounts().revokeSessions(email);
    return {
      text: `Every session of ${user.email} is signed out (${sessionsEnded} active, and any token from the original login).`,
      json: { user: accountRef(user), sessionsEnded },
    };
  },
});
