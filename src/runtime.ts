import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { accountsFor, type AccountsForOptions } from './accounts-for.ts';
import type { AccountDeps } from './accounts/account-service.ts';
import { BreachedCorpusError, openBreachedPasswords } from './accounts/breached/breached-passwords.ts';
import { PasswordHasher } from './accounts/password-hasher.ts';
import { PasswordHistory } from './accounts/password-history.ts';
import { PasswordPolicy } from './accounts/password-policy.ts';
import { SessionTokens } from './accounts/session-tokens.ts';
import { createApp, type App } from './app.ts';
import { ConfigError, type Config } from './config.ts';
import { initORM, migrate, pgliteDirFor, type Orm } from './db/orm.ts';
import { loadOrCreateDevSecret } from './dev-secret.ts';
import { RetentionSweep } from './events/retention-sweep.ts';
import { SecurityEvents } from './events/security-events.ts';
import { createLogger, type AppLogger } from './logging.ts';
import { EmailSender } from './notifications/email-sender.ts';
import { WebhookSender } from './notifications/webhook-sender.ts';
import { OutboxWorker } from './outbox/outbox-worker.ts';
import { WindowAttemptLimiter, type AttemptLimiter } from './limits/attempt-limiter.ts';

export interface Rekey {
  app: App;
  orm: Orm;
  deps: AccountDeps;
  /** This instance's outbox worker (security notifications). */
  outbox: OutboxWorker;
  /** Set once `listen` has been called. */
  url: string | null;
  listen(): Promise<string>;
  /** Stops accepting, lets in-flight requests finish, then closes the database and Redis. */
  close(): Promise<void>;
}

async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    // Fail fast while Redis is away (password checks then fail closed) and reconnect in the background.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  redis.on('error', () => undefined); // reported through failed commands; reconnects by itself
  try {
    await redis.connect();
  } catch {
    redis.disconnect();
    throw new Error(`Cannot reach Redis at REDIS_URL (${new URL(url).host})`);
  }
  return redis;
}

/** Everything start-up builds, in order: secret → database (migrated) → limiter → app. */
export interface RekeyOptions {
  /** Default: silent. */
  log?: AppLogger;
  /** Where embedded PGlite lives; tests pass `memory://`. Default: DATA_DIR/pglite. */
  pgliteDir?: string;
  /** Another AccountService with the same contract (the benchmark's naive reference flow). */
  createService?: AccountsForOptions['createService'];
}

export async function createRekey(config: Config, { log = createLogger('silent'), pgliteDir, createService }: RekeyOptions = {}): Promise<Rekey> {
  let secret = config.jwtSecret;
  if (secret === null) {
    const dev = loadOrCreateDevSecret(config.dataDir);
    secret = dev.secret;
    log.warn(`${dev.created ? 'Generated' : 'Using'} a development JWT secret in ${dev.path}; set JWT_SECRET in production.`);
  }

  // Before the database: a corpus file that cannot be used stops the start at once, with nothing to undo.
  const breached = await openBreachedPasswords(config.breachedPasswords, log).catch((error: unknown) => {
    throw error instanceof BreachedCorpusError ? new ConfigError(`Invalid configuration: BREACHED_PASSWORDS ${error.message}`) : error;
  });
  const orm = await initORM({
    databaseUrl: config.databaseUrl,
    pgliteDir: pgliteDir ?? pgliteDirFor(config.dataDir),
    statementTimeoutMs: config.statementTimeoutMs,
    connectTimeoutMs: config.dbConnectTimeoutMs,
  }).catch(async (error: unknown) => {
    await breached.close();
    throw error;
  });
  let limiter: AttemptLimiter | undefined;
  try {
    const applied = await migrate(orm);
    if (applied.length > 0) log.info(`Applied migrations: ${applied.join(', ')}`);
    limiter = config.redisUrl
      ? WindowAttemptLimiter.redis(config.limits, await connectRedis(config.redisUrl), config.redisKeyPrefix)
      : WindowAttemptLimiter.inMemory(config.limits);
  } catch (error) {
    await breached.close();
    await orm.close(true);
    throw error;
  }

  // Security notifications: every instance delivers the shared outbox.
  const notifications = config.notifications;
  // A delivery must end well within its claim, or another worker could take the message meanwhile.
  const deliveryTimeoutMs = Math.min(10_000, notifications.outbox.claimTimeoutMs / 2);
  const email = notifications.email
    ? new EmailSender({ ...notifications.email, passwordResetTtlMs: notifications.passwordResetTtlMs, timeoutMs: deliveryTimeoutMs })
    : null;
  const webhook = notifications.webhook ? new WebhookSender({ ...notifications.webhook, timeoutMs: deliveryTimeoutMs }) : null;
  const outbox = new OutboxWorker({ orm, settings: notifications.outbox, webhook, email, log });
  const sweep = new RetentionSweep(orm, notifications, log);
  outbox.start();
  sweep.start();

  const hasher = new PasswordHasher(config.bcryptCost);
  // Computed in the background now, so the first unknown-email sign-in costs what the others do.
  void hasher.decoyHash();
  const deps: AccountDeps = {
    hasher,
    tokens: new SessionTokens({ secret, ttlSeconds: config.jwtTtlSeconds, issuer: config.jwtIssuer, audience: config.jwtAudience }),
    policy: new PasswordPolicy(config.passwordPolicy, { rejectBreached: breached.enabled, history: config.passwordHistory }),
    limiter,
    lockout: config.lockout,
    breached,
    history: new PasswordHistory(config.passwordHistory, hasher),
    events: new SecurityEvents(notifications, () => outbox.wake()),
  };
  const app = createApp({
    config,
    orm,
    accountsFor: accountsFor({ orm, deps, trustProxyHops: config.trustProxyHops, ...(createService ? { createService } : {}) }),
    policy: deps.policy,
    logger: log,
  });
  let server: Server | null = null;

  const rekey: Rekey = {
    app,
    orm,
    deps,
    outbox,
    url: null,
    async listen() {
      const requestTimeout = config.requestTimeoutMs + 5_000;
      server = createServer({ requestTimeout, headersTimeout: Math.min(10_000, requestTimeout) }, app);
      server.keepAliveTimeout = 5_000;
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(config.port, config.host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      rekey.url = `http://${host}:${address.port}`;
      return rekey.url;
    },
    async close() {
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      // Never close the database under a request that is still working.
      await app.settled();
      await outbox.close();
      await sweep.close();
      email?.close();
      await limiter.close();
      await breached.close();
      await orm.close(true);
    },
  };
  return rekey;
}
