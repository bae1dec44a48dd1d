import { AccountAdministration, AccountNotFoundError, type AdministrationDeps } from '../identity/account-administration.ts';
import { EmailTakenError, PasswordReusedError, ValidationError } from '../errors/errors.ts';
import { WeakPasswordError } from '../passwords/weak-password-error.ts';
import { SecurityEvents } from '../events/security-events.ts';
import { OutboxRepository } from '../events/outbox.repository.ts';
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../config/config.ts';
import type { Orm } from '../db/orm.ts';
import { asServiceUnavailable } from '../db/outage.ts';
import { createLogger, redact, type AppLogger } from '../observability/logging.ts';
import type { BreachedPasswords } from '../passwords/breached/breached-passwords.ts';
import { jwtSecret, openPasswordServices, sharedLimiter } from '../server/compose-services.ts';
import { openDatabase } from '../server/database.ts';
import { connectRedis } from '../server/redis.ts';
import type { Invocation } from './invocation.ts';
import { turnOffTotp } from './totp-off.ts';

async function execute(invocation: Invocation, password: string | null, orm: Orm, deps: AdministrationDeps): Promise<string> {
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
    case 'revoke-sessions': {
      const ended = await admin.revokeSessions(email);
      return `Every session of ${email.trim().toLowerCase()} is signed out (${ended} active, and any token from the original login).`;
    }
    case 'events': {
      const events = await admin.events(email);
      if (events.length === 0) return `No security events for ${email.trim().toLowerCase()}.`;
      return events
        .map((event) =>
          [event.occurredAt.toISOString(), event.kind, event.ipAddress ?? '-', event.sessionId ?? '-', event.userAgent ?? '-'].join('\t'),
        )
        .join('\n');
    }
    case 'totp-off':
      return turnOffTotp(orm.em.fork(), deps.events, email);
    case 'outbox':
      return outbox(new OutboxRepository(orm.em.fork()), email === 'retry-dead');
    case 'unlock': {
      const { wasLocked, windowsCleared } = await admin.unlock(email);
      const done = wasLocked
        ? `Unlocked ${email.trim().toLowerCase()}.`
        : `${email.trim().toLowerCase()} was not blocked; its failed-password count is reset.`;
      return windowsCleared
        ? `${done} Its rate-limit windows are cleared.`
        : `${done} Its rate-limit windows are in the server's memory (no REDIS_URL) and end by themselves within their window.`;
    }
  }
}

async function outbox(messages: OutboxRepository, retryDead: boolean): Promise<string> {
  if (retryDead) return `${await messages.retryDead()} dead message(s) will be delivered again.`;
  const counts = await messages.countByState();
  const dead = await messages.dead(20);
  const lines = [`pending ${counts.pending}, done ${counts.done}, dead ${counts.dead}`];
  for (const message of dead) {
    lines.push(
      [message.id, message.channel, `${message.attempts} attempts`, message.createdAt.toISOString(), message.lastError ?? '-'].join('\t'),
    );
  }
  return lines.join('\n');
}

/** One line for the operator; never a stack trace, never a hash or password. */
function describeFailure(error: unknown): string {
  if (error instanceof WeakPasswordError) return `Password refused: ${error.violations.map((violation) => violation.message).join('; ')}.`;
  if (error instanceof PasswordReusedError) return `Password refused: ${error.message}`;
  if (error instanceof ValidationError) return error.fieldErrors.map((fieldError) => fieldError.message).join('; ');
  if (error instanceof AccountNotFoundError || error instanceof EmailTakenError || error instanceof ConfigError) return error.message;
  const unavailable = asServiceUnavailable(error);
  const detail = error instanceof Error ? redact(error.message.split('\n')[0] ?? '') : String(error);
  if (unavailable) return `The database is unavailable (${detail}). Nothing was changed; try again.`;
  return `Unexpected error: ${detail}`;
}

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
    limiter: redis ? sharedLimiter(config, redis, jwtSecret(config, log)) : null,
  };
  return { orm, deps, breached: passwords.breached };
}

/**
 * Runs one command with the server's configuration (environment and .env).
 * Prints one line; returns the exit status (0 done, 1 failed).
 */
export async function runCommand(invocation: Invocation, password: string | null): Promise<number> {
  let services: AdminServices | null = null;
  try {
    loadDotEnv();
    // Warnings (a breached-password lookup that failed, say) go to stderr beside the command's own line.
    const log = createLogger('warn', (_level, line) => process.stderr.write(`${line}\n`));
    services = await openAdminServices(loadConfig(), log);
    process.stdout.write(`${await execute(invocation, password, services.orm, services.deps)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`rekey admin: ${describeFailure(error)}\n`);
    return 1;
  } finally {
    await services?.breached.close().catch(() => undefined);
    await services?.deps.limiter?.close().catch(() => undefined);
    await services?.orm.close(true).catch(() => undefined);
  }
}
