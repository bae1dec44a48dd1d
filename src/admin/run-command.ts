import { AccountAdministration, AccountNotFoundError } from '../accounts/account-administration.ts';
import { EmailTakenError, ValidationError, WeakPasswordError } from '../accounts/errors.ts';
import { PasswordHasher } from '../accounts/password-hasher.ts';
import { PasswordPolicy } from '../accounts/password-policy.ts';
import { ConfigError, loadConfig, loadDotEnv } from '../config.ts';
import { initORM, migrate, pgliteDirFor, type Orm } from '../db/orm.ts';
import { asServiceUnavailable } from '../db/outage.ts';
import { redact } from '../logging.ts';
import type { Invocation } from './invocation.ts';

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

/**
 * Runs one command with the server's configuration (environment and .env):
 * the same database, migrations, bcrypt cost and password policy.
 * Prints one line; returns the exit status (0 done, 1 failed).
 */
export async function runCommand(invocation: Invocation, password: string | null): Promise<number> {
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
