import { defineCommand } from '../admin-command.ts';
import { accountRef } from './account-json.ts';
import { emailArgument } from './arguments.ts';

export const command = defineCommand({
  parse: (line) => ({ email: emailArgument(line, 'unlock') }),
  async run({ email }, context) {
    const { user, wasLocked, windowsCleared } = await context.accounts().unlock(email);
    const done = wasLocked ? `Unlocked ${user.email}.` : `${user.email} was not blocked; its failed-password count is reset.`;
    const windows = windowsCleared
      ? 'Its rate-limit windows are cleared.'
      : "Its rate-limit windows are in the server's memory (no REDIS_URL) and end by themselves within their window.";
    return { text: `${done} ${windows}`, json: { user: accountRef(user), wasLocked, windowsCleared } };
  },
});
