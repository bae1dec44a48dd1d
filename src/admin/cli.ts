// `npm run admin -- <command>`: account operations for operators, with the server's configuration.
import { parseArgs } from 'node:util';
import { AccountAdministration, AccountNotFoundError } from '../accounts/account-administration.ts';
import { EmailTakenError, ValidationError, WeakPasswordError } from '../accounts/errors.ts';
import { PasswordHasher } from '../accounts/password-hasher.ts';
import { PasswordPolicy } from '../accounts/password-policy.ts';
import { ConfigError, loadConfig, loadDotEnv } from '../config.ts';
import { initORM, migrate, pgliteDirFor, type Orm } from '../db/orm.ts';
import { asServiceUnavailable } from '../db/outage.ts';
import { redact } from '../logging.ts';
import { readPassword } from './read-password.ts';
import { UsageError } from './usage-error.ts';

const HELP = `Usage: npm run admin -- <command> <email> [options]

Commands:
  create-user <email>       Create an account. The password is read from stdin.
  set-password <email>      Replace an account's password (the password policy applies)
                            and sign out every session of the account.
  revoke-sessions <email>   Sign out every session of the account.
  unlock <email>            Clear the account's failed-password count and any block.

Options:
  --password-stdin          Read the password from stdin (also the default when stdin
                            is not a terminal; at a terminal it is asked for twice, hidden).
  -h, --help                Show this help.

Passwords are never taken as arguments: they would end up in shell history and
in the process list. Example:
  printf '%s' "$NEW_PASSWORD" | npm run admin -- set-password ada@example.com --password-stdin

Configuration is the server's (environment and .env): DATABASE_URL or DATA_DIR,
BCRYPT_COST, PASSWORD_POLICY. With the embedded database (no DATABASE_URL), stop
the server first: PGlite's files are not shared between processes.

Exit status: 0 done, 1 the command failed, 2 the command line is wrong.
`;

const COMMANDS = ['create-user', 'set-password', 'revoke-sessions', 'unlock'] as const;
type Command = (typeof COMMANDS)[number];

interface Invocation {
  command: Command;
  email: string;
  passwordFromStdin: boolean;
}

function parse(argv: string[]): Invocation | 'help' {
  if (argv.some((arg) => /^--password(=|$)/.test(arg))) {
    throw new UsageError('Passwords are not taken as arguments; pipe it on stdin with --password-stdin.');
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'password-stdin': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [command, email, ...extra] = parsed.positionals;
  if (parsed.values.help || command === 'help') return 'help';
  if (command === undefined) throw new UsageError('No command given.');
  if (!(COMMANDS as readonly string[]).includes(command)) throw new UsageError(`Unknown command "${command}".`);
  if (email === undefined || email.trim() === '') throw new UsageError(`${command} needs the account's email.`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  return { command: command as Command, email, passwordFromStdin: parsed.values['password-stdin'] };
}

async function execute(invocation: Invocation, password: string | null, orm: Orm, deps: { hasher: PasswordHasher; policy: PasswordPolicy }): Promise<string> {
  const admin = new AccountAdministration(orm.em.fork(), deps);
  const { email } = invocation;
  switch (invocation.command) {
    case 'create-user': {
      const user = await admin.createUser(email, password ?? '');
      return `Created account ${user.id} for ${user.email}.`;
    }
    case 'set-password':
      await admin.setPassword(email, password ?? '');
      return `Password set for ${email.trim().toLowerCase()}; every session of the account is signed out.`;
    case 'revoke-sessions':
      await admin.revokeSessions(email);
      return `Every session of ${email.trim().toLowerCase()} is signed out.`;
    case 'unlock': {
      const { wasLocked } = await admin.unlock(email);
      return wasLocked ? `Unlocked ${email.trim().toLowerCase()}.` : `${email.trim().toLowerCase()} was not blocked; its failed-password count is reset.`;
    }
  }
}

/** One line for the operator; never a stack trace, never a hash or password. */
function describeFailure(error: unknown): string {
  if (error instanceof WeakPasswordError) return `Password refused: ${error.violations.map((violation) => violation.message).join('; ')}.`;
  if (error instanceof ValidationError) return error.fieldErrors.map((fieldError) => fieldError.message).join('; ');
  if (error instanceof AccountNotFoundError || error instanceof EmailTakenError || error instanceof ConfigError) return error.message;
  const unavailable = asServiceUnavailable(error);
  const detail = error instanceof Error ? redact(error.message.split('\n')[0] ?? '') : String(error);
  if (unavailable) return `The database is unavailable (${detail}). Nothing was changed; try again.`;
  return `Unexpected error: ${detail}`;
}

async function main(argv: string[]): Promise<number> {
  let invocation: Invocation | 'help';
  let password: string | null = null;
  try {
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

  let orm: Orm | null = null;
  try {
    loadDotEnv();
    const config = loadConfig();
    orm = await initORM({
      databaseUrl: config.databaseUrl,
      pgliteDir: pgliteDirFor(config.dataDir),
      statementTimeoutMs: config.statementTimeoutMs,
      connectTimeoutMs: config.dbConnectTimeoutMs,
    });
    await migrate(orm);
    const deps = { hasher: new PasswordHasher(config.bcryptCost), policy: new PasswordPolicy(config.passwordPolicy) };
    process.stdout.write(`${await execute(invocation, password, orm, deps)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`rekey admin: ${describeFailure(error)}\n`);
    return 1;
  } finally {
    await orm?.close(true).catch(() => undefined);
  }
}

process.exitCode = await main(process.argv.slice(2));
