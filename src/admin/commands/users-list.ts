import { defineCommand, type CommandLine } from '../admin-command.ts';
import { UsageError } from '../usage-error.ts';
import { accountStatus, accountSummaryJson } from './account-json.ts';
import { noMoreArguments } from './arguments.ts';

const MAX_LIMIT = 1000;

function dateOption(line: CommandLine, name: string): Date | null {
  const value = line.values[name];
  if (typeof value !== 'string') return null;
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(`--${name} must be a date such as 2026-12-01 or 2026-12-01T12:00:00Z.`);
  }
  return date;
}

function wholeOption(line: CommandLine, name: string, fallback: number, max: number): number {
  const value = line.values[name];
  if (value === undefined) return fallback;
  const number = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || number > max) throw new UsageError(`--${name} must be a whole number up to ${max}.`);
  return number;
}

function parse(line: CommandLine) {
  noMoreArguments(line.positionals);
  if (line.values.disabled === true && line.values.enabled === true) throw new UsageError('--disabled and --enabled exclude each other.');
  const email = line.values.email;
  return {
    afterId: wholeOption(line, 'after', 0, Number.MAX_SAFE_INTEGER),
    limit: Math.max(1, wholeOption(line, 'limit', 50, MAX_LIMIT)),
    emailContains: typeof email === 'string' && email.trim() !== '' ? email : null,
    createdFrom: dateOption(line, 'created-from'),
    createdBefore: dateOption(line, 'created-before'),
    disabled: line.values.disabled === true ? true : line.values.enabled === true ? false : null,
  };
}

export const command = defineCommand({
  options: {
    email: { type: 'string' },
    'created-from': { type: 'string' },
    'created-before': { type: 'string' },
    disabled: { type: 'boolean' },
    enabled: { type: 'boolean' },
    limit: { type: 'string' },
    after: { type: 'string' },
  },
  parse,
  async run(filter, context) {
    const page = await context.directory().list(filter);
    const nextAfter = page.nextAfterId === null ? null : String(page.nextAfterId);
    const lines = page.accounts.map((account) => [account.id, account.email, account.createdAt.toISOString(), accountStatus(account)].join('\t'));
    if (page.accounts.length === 0) lines.push('No accounts match.');
    if (nextAfter !== null) lines.push(`More: add --after ${nextAfter}`);
    return { text: lines.join('\n'), json: { users: page.accounts.map(accountSummaryJson), nextAfter } };
  },
});
