import { defineCommand } from '../admin-command.ts';
import { accountDetailsJson, accountStatus } from './account-json.ts';
import { emailArgument } from './arguments.ts';

export const command = defineCommand({
  parse: (line) => ({ email: emailArgument(line, 'users show') }),
  async run({ email }, context) {
    const account = await context.directory().show(email);
    const json = accountDetailsJson(account);
    const text = [
      `id\t${json.id}`,
      `email\t${json.email}`,
      `status\t${accountStatus(account)}`,
      `created\t${json.createdAt}`,
      `updated\t${json.updatedAt}`,
      `password changed\t${json.passwordChangedAt ?? '-'}`,
      `disabled since\t${json.disabledAt ?? '-'}`,
      `blocked until\t${json.lockedUntil ?? '-'}`,
      `failed password checks\t${json.failedPasswordChecks}`,
      `active sessions\t${json.activeSessions}`,
      `two-step (TOTP)\t${json.totp ? 'on' : 'off'}`,
    ].join('\n');
    return { text, json: { user: json } };
  },
});
