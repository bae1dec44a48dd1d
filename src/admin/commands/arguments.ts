import type { CommandLine } from '../admin-command.ts';
import { UsageError } from '../usage-error.ts';

/** The one positional argument a command takes, the account's email. */
export function emailArgument(line: CommandLine, command: string): string {
  const [email, ...extra] = line.positionals;
  if (email === undefined || email.trim() === '') throw new UsageError(`${command} needs the account's email.`);
  noMoreArguments(extra);
  return email;
}

export function noMoreArguments(extra: string[]): void {
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
}
