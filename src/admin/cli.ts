// `npm run admin -- <command>`: account operations for operators, with the server's configuration.
import { parseArgs } from 'node:util';
import { IMPORT_USAGE, parseImportArguments } from './import/import-arguments.ts';
import { readPassword } from './read-password.ts';
import { UsageError } from './usage-error.ts';

const HELP = `Usage: npm run admin -- <command> <email> [options]

Commands:
  create-user <email>       Create an account. The password is read from stdin.
  set-password <email>      Replace an account's password (the password policy applies)
                            and sign out every session of the account.
  revoke-sessions <email>   Sign out every session of the account.
  unlock <email>            Clear the account's failed-password count, any block, and
                            (with REDIS_URL) its rate-limit windows.
  events <email>            List the account's latest security events, newest first.
  outbox                    Count notification messages by state and list the dead ones.
  outbox retry-dead         Give every dead message a fresh set of delivery attempts.
${IMPORT_USAGE}

Options:
  --password-stdin          Read the password from stdin (also the default when stdin
                            is not a terminal; at a terminal it is asked for twice, hidden).
  -h, --help                Show this help.

Passwords are never taken as arguments: they would end up in shell history and
in the process list. Example:
  printf '%s' "$NEW_PASSWORD" | npm run admin -- set-password ada@example.com --password-stdin

Configuration is the server's (environment and .env): DATABASE_URL or DATA_DIR,
BCRYPT_COST, PASSWORD_POLICY, BREACHED_PASSWORDS, PASSWORD_HISTORY. With the
embedded database (no DATABASE_URL), stop the server first: PGlite's files are
not shared between processes.

Exit status: 0 done, 1 the command failed, 2 the command line is wrong.
`;

import { COMMANDS, type Command, type Invocation } from './invocation.ts';

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'password-stdin': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parse(argv: string[]): Invocation | 'help' {
  if (argv.some((arg) => /^--password(=|$)/.test(arg))) {
    throw new UsageError('Passwords are not taken as arguments; pipe it on stdin with --password-stdin.');
  }
  const parsed = parseFlags(argv);
  const [command, email, ...extra] = parsed.positionals;
  if (parsed.values.help || command === 'help') return 'help';
  if (command === undefined) throw new UsageError('No command given.');
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`Unknown command "${command}".`);
  if (command === 'outbox') {
    if (email !== undefined && email !== 'retry-dead') throw new UsageError(`Unknown outbox action "${email}" (only retry-dead).`);
    if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
    return { command, email: email ?? '', passwordFromStdin: false };
  }
  if (email === undefined || email.trim() === '') throw new UsageError(`${command} needs the account's email.`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  return { command: command as Command, email, passwordFromStdin: parsed.values['password-stdin'] };
}

async function main(argv: string[]): Promise<number> {
  let invocation: Invocation | 'help';
  let password: string | null = null;
  try {
    // import takes a file and options of its own (src/admin/import/).
    if (argv[0] === 'import') return (await import('./import/run-import.ts')).runImport(parseImportArguments(argv.slice(1)));
    invocation = parse(argv);
    if (invocation === 'help') {
      process.stdout.write(HELP);
      return 0;
    }
    if (invocation.command === 'create-user' || invocation.command === 'set-password') password = await readPassword(invocation.passwordFromStdin);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`rekey admin: ${error.message}\nRun \`npm run admin -- --help\` for the commands.\n`);
    return 2;
  }

  // The database and its drivers load only now: help and usage errors answer at once.
  const { runCommand } = await import('./run-command.ts');
  return runCommand(invocation, password);
}

process.exitCode = await main(process.argv.slice(2));
