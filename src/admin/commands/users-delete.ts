import { createInterface } from 'node:readline/promises';
import { normalizeEmail } from '../../users/normalize-email.ts';
import { defineCommand } from '../admin-command.ts';
import { UsageError } from '../usage-error.ts';
import { accountRef } from './account-json.ts';
import { emailArgument } from './arguments.ts';

/** The operator confirms by typing the address again (one line from stdin, so a script can pipe it), unless --yes. */
async function confirmDeletion(address: string): Promise<void> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  try {
    process.stderr.write(`Delete the account ${address} and everything it holds, for good? Type its address to confirm: `);
    const answer = await Promise.race([prompt.question(''), new Promise<null>((resolve) => prompt.once('close', () => resolve(null)))]);
    if (answer === null || normalizeEmail(answer) !== address) throw new UsageError('Not confirmed: nothing was deleted (pass --yes in scripts).');
  } finally {
    prompt.close();
  }
}

export const command = defineCommand({
  options: { yes: { type: 'boolean', default: false } },
  parse: (line) => ({ email: emailArgument(line, 'users delete'), yes: line.values.yes === true }),
  async run({ email, yes }, context) {
    if (!yes) await confirmDeletion(normalizeEmail(email));
    const user = await context.accounts().deleteAccount(email);
    return {
      text: `Deleted the account ${user.id} of ${user.email}: its sessions, tokens and history are gone, its events kept without it; a last email is queued.`,
      json: { user: accountRef(user), deleted: true },
    };
  },
});
