import { IMPORT_USAGE } from './import/import-arguments.ts';
import { COMMAND_TABLE } from './command-table.ts';

const OPTIONS = `Options:
  --json                    Print one JSON document instead of text (fields in
                            docs/operations/admin-cli.md; on failure {"error":{"code","message"}}).
  --operator <name>         Who is acting, as the account's security events name them
                            (default: the OS user).
  --password-stdin          Read the password from stdin (also the default when stdin
                            is not a terminal; at a terminal it is asked for twice, hidden).
  -h, --help                Show this help.`;

const NOTES = `Passwords are never taken as arguments: they would end up in shell history and
in the process list. Example:
  printf '%s' "$NEW_PASSWORD" | npm run admin -- set-password ada@example.com --password-stdin

Configuration is the server's (environment and .env): DATABASE_URL or DATA_DIR,
BCRYPT_COST, PASSWORD_POLICY, BREACHED_PASSWORDS, PASSWORD_HISTORY, SERVER_SECRET,
JWT_TTL and JWT_KEY_ACTIVATION_DELAY. With the
embedded database (no DATABASE_URL), stop the server first: PGlite's files are
not shared between processes.

Exit status: 0 done, 1 the command failed, 2 the command line is wrong.`;

/** The help, its command list drawn from the command table. */
export function helpText(): string {
  const commands = COMMAND_TABLE.map((row) => `  ${[row.name, row.synopsis].filter(Boolean).join(' ')}\n      ${row.summary}`);
  return `Usage: npm run admin -- <command> [arguments] [options]\n\nCommands:\n${commands.join('\n')}\n${IMPORT_USAGE}\n\n${OPTIONS}\n\n${NOTES}\n`;
}
