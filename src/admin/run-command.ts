import { loadConfig, loadDotEnv, type Config } from '../config/config.ts';
import type { Orm } from '../db/orm.ts';
import { SecurityEvents } from '../events/security-events.ts';
import { AccountAdministration, type AdministrationDeps } from '../identity/account-administration.ts';
import { AccountDirectory } from '../identity/account-directory.ts';
import { createLogger, type AppLogger } from '../observability/logging.ts';
import type { BreachedPasswords } from '../passwords/breached/breached-passwords.ts';
import { openPasswordServices, sharedLimiter } from '../server/compose-services.ts';
import { serverSecret } from '../server/token-keys.ts';
import { openDatabase } from '../server/database.ts';
import { connectRedis } from '../server/redis.ts';
import type { CommandOutput } from './admin-command.ts';
import { UsageError } from './usage-error.ts';
import type { AdminContext } from './admin-context.ts';
import { describeFailure } from './describe-failure.ts';

interface AdminServices {
  orm: Orm;
  deps: AdministrationDeps;
  breached: BreachedPasswords;
}

/**
 * The server's own composition (see server/compose-services.ts): the same
 * database and migrations, and the same password policy, hasher, breached
 * passwords and history, so an operator's password meets the server's rules.
 */
async function openAdminServices(config: Config, log: AppLogger): Promise<AdminServices> {
  const passwords = await openPasswordServices(config, log);
  const orm = await openDatabase(config, { log }).catch(async (error: unknown) => {
    await passwords.breached.close();
    throw error;
  });
  // With Redis the rate-limit windows are shared, so `unlock` can clear them; without it they are in each server's memory.
  const redis = config.redisUrl
    ? await connectRedis(config.redisUrl, config.redisTimeoutMs).catch(async (error: unknown) => {
        await passwords.breached.close();
        await orm.close(true);
        throw error;
      })
    : null;
  const deps: AdministrationDeps = {
    ...passwords,
    // Messages are only queued here; every server instance's worker delivers them.
    events: new SecurityEvents(config.notifications),
    sessions: config.sessions,
    limiter: redis ? sharedLimiter(config, redis, serverSecret(config, log)) : null,
  };
  return { orm, deps, breached: passwords.breached };
}

export interface RunSettings {
  json: boolean;
  operator: string;
  password: string | null;
}

/**
 * Runs one prepared command with the server's configuration (environment and
 * .env): its answer on stdout (text, or one JSON document with --json), a
 * failure as one line on stderr (and `{ "error": { code, message } }` on
 * stdout with --json). Returns the exit status (0 done, 1 failed).
 */
export async function runCommand(command: (context: AdminContext) => Promise<CommandOutput>, settings: RunSettings): Promise<number> {
  let services: AdminServices | null = null;
  try {
    loadDotEnv();
    // Warnings (a breached-password lookup that failed, say) go to stderr beside the command's own line.
    const log = createLogger('warn', (_level, line) => process.stderr.write(`${line}\n`));
    const config = loadConfig();
    services = await openAdminServices(config, log);
    const { orm, deps } = services;
    const context: AdminContext = {
      config,
      orm,
      operator: settings.operator,
      password: settings.password,
      accounts: () => new AccountAdministration(orm.em.fork(), deps, settings.operator),
      directory: () => new AccountDirectory(orm.em.fork(), config.sessions.idleTimeoutMs),
    };
    const output = await command(context);
    process.stdout.write(`${settings.json ? JSON.stringify(output.json) : output.text}\n`);
    return 0;
  } catch (error) {
    // Refused before anything changed (an unconfirmed `users delete`): the command line's fault, exit 2.
    if (error instanceof UsageError) {
      process.stderr.write(`rekey admin: ${error.message}\n`);
      return 2;
    }
    const failure = describeFailure(error);
    if (settings.json) process.stdout.write(`${JSON.stringify({ error: failure })}\n`);
    process.stderr.write(`rekey admin: ${failure.message}\n`);
    return 1;
  } finally {
    await services?.breached.close().catch(() => undefined);
    await services?.deps.limiter?.close().catch(() => undefined);
    await services?.orm.close(true).catch(() => undefined);
  }
}
