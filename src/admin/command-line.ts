import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { AdminCommand, CommandLine } from './admin-command.ts';
import { COMMAND_TABLE, findCommand, type CommandRow } from './command-table.ts';
import { UsageError } from './usage-error.ts';

/** The options every command takes. */
const GLOBAL_OPTIONS = {
  json: { type: 'boolean', default: false },
  operator: { type: 'string' },
  'password-stdin': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} satisfies ParseArgsOptionsConfig;

export interface GlobalFlags {
  json: boolean;
  operator: string | undefined;
  passwordFromStdin: boolean;
}

function parseStrict(argv: string[], options: ParseArgsOptionsConfig) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** Which command the line names, or 'help'; nothing is loaded yet. */
export function findInvokedCommand(argv: string[]): { row: CommandRow; words: number } | 'help' {
  if (argv.some((arg) => /^--password(=|$)/.test(arg))) {
    throw new UsageError('Passwords are not taken as arguments; pipe it on stdin with --password-stdin.');
  }
  // A loose first pass only finds the command's words; the strict one, with the command's own options, follows.
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: GLOBAL_OPTIONS });
  if (values.help === true || positionals[0] === 'help') return 'help';
  if (positionals[0] === undefined) throw new UsageError('No command given.');
  const found = findCommand(positionals);
  if (found === null) {
    const [group, action] = positionals;
    const actions = COMMAND_TABLE.filter((row) => row.name.startsWith(`${group} `)).map((row) => row.name.split(' ')[1]);
    if (actions.length === 0) throw new UsageError(`Unknown command "${group}".`);
    throw new UsageError(`${action === undefined ? `${group} needs an action` : `Unknown ${group} action "${action}"`} (${actions.join(', ')}).`);
  }
  return found;
}

/** The command's own line (without its words) and the global flags, checked against its options. */
export function parseCommandLine(argv: string[], command: AdminCommand, words: number): { line: CommandLine; flags: GlobalFlags } {
  const parsed = parseStrict(argv, { ...command.options, ...GLOBAL_OPTIONS });
  const { json, operator, 'password-stdin': passwordFromStdin, ...own } = parsed.values;
  const values: CommandLine['values'] = {};
  for (const [name, value] of Object.entries(own)) if (typeof value === 'string' || typeof value === 'boolean') values[name] = value;
  return {
    line: { positionals: parsed.positionals.slice(words), values },
    flags: { json: json === true, operator: typeof operator === 'string' ? operator : undefined, passwordFromStdin: passwordFromStdin === true },
  };
}
