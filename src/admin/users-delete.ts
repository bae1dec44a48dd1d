import { createInterface } from 'node:readline/promises';
import type { Db } from '../db/orm.ts';
import type { SecurityEvents } from '../events/security-events.ts';
import { AccountNotFoundError } from '../identity/account-administration.ts';
import { removeAccount } from '../identity/delete-account.ts';
import { normalizeEmail } from '../users/normalize-email.ts';
import { UserRepository } from '../users/user.repository.ts';
import { UsageError } from './usage-error.ts';

/** How the operator appears in the ACCOUNT_DELETED event: no address, a recognisable agent. */
const OPERATOR = { address: 'unknown', userAgent: 'rekey admin CLI' } as const;

/**
 * `users delete <email>`: the operator confirms by typing the address again
 * (read as one line from stdin, so a script can pipe it), unless `--yes`.
 */
export async function confirmDeletion(email: string, yes: boolean, stdin: NodeJS.ReadableStream = process.stdin): Promise<void> {
  if (yes) return;
  const address = normalizeEmail(email);
  const prompt = createInterface({ input: stdin, output: process.stderr, terminal: false });
  try {
    process.stderr.write(`Delete the account ${address} and everything it holds, for good? Type its address to confirm: `);
    const answer = await Promise.race([prompt.question(''), new Promise<null>((resolve) => prompt.once('close', () => resolve(null)))]);
    if (answer === null || normalizeEmail(answer) !== address) throw new UsageError('Not confirmed: nothing was deleted (pass --yes in scripts).');
  } finally {
    prompt.close();
  }
}

/**
 * Deletes the account of `email` as deleteAccount does (removeAccount: the
 * goodbye email, its sessions, tokens and history, its events anonymised),
 * without its password: an operator's decision, recorded as such.
 */
export async function deleteUser(db: Db, events: SecurityEvents, emailInput: string): Promise<string> {
  const email = normalizeEmail(emailInput);
  const user = await new UserRepository(db).findByEmail(email);
  if (user === null || !(await removeAccount(db, events, user, OPERATOR))) throw new AccountNotFoundError(email);
  return `Deleted the account ${user.id} of ${email}: its sessions, tokens and history are gone, its events kept without it; a last email is queued.`;
}
