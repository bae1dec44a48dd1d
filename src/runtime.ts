import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { accountsFor, type AccountsForOptions } from './accounts-for.ts';
import type { AccountDeps } from './accounts/account-service.ts';
import { PasswordHasher } from './accounts/password-hasher.ts';
import { PasswordPolicy } from './accounts/password-policy.ts';
import { SESSION_SWEEP_INTERVAL_MS, sweepEndedSessions } from './accounts/session-sweep.ts';
import { SessionTokens } from './accounts/session-tokens.ts';
import { createApp, type App } from './app.ts';
import type { Config } from './config.ts';
import { initORM, migrate, pgliteDirFor, type Orm } from './db/orm.ts';
import { loadOrCreateDevSecret } from './dev-secret.ts';
import { createLogger, type AppLogger } from './logging.ts';
import { WindowAttemptLimiter, type AttemptLimiter } from './limits/attempt-limiter.ts';

export interface Rekey {
  app: App;
  orm: Orm;
  deps: AccountDeps;
  /** Set once `listen` has been called. */
  url: string | null;
  listen(): Promise<string>;
  /** One sweep of ended sessions (the timer runs it hourly); returns how many were deleted. */
  sweepSessions(): Promise<number>;
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

  const orm = await initORM({
    databaseUrl: config.databaseUrl,
    pgliteDir: pgliteDir ?? pgliteDirFor(config.dataDir),
    statementTimeoutMs: config.statementTimeoutMs,
  });
  let limiter: AttemptLimiter | undefined;
  try {
    const applied = await migrate(orm);
    if (applied.length > 0) log.info(`Applied migrations: ${applied.join(', ')}`);
    limiter = config.redisUrl
      ? WindowAttemptLimiter.redis(config.limits, await connectRedis(config.redisUrl), config.redisKeyPrefix)
      : WindowAttemptLimiter.inMemory(config.limits);
  } catch (error) {
    await orm.close(true);
    throw error;
  }

  const hasher = new PasswordHasher(config.bcryptCost);
  // Computed in the background now, so the first unknown-email sign-in costs what the others do.
  void hasher.decoyHash();
  const deps: AccountDeps = {
    hasher,
    tokens: new SessionTokens({ secret, ttlSeconds: config.jwtTtlSeconds, issuer: config.jwtIssuer, audience: config.jwtAudience }),
    policy: new PasswordPolicy(config.passwordPolicy),
    limiter,
    lockout: config.lockout,
    sessions: config.sessions,
  };
  const app = createApp({
    config,
    orm,
    accountsFor: accountsFor({ orm, deps, trustProxyHops: config.trustProxyHops, ...(createService ? { createService } : {}) }),
    policy: deps.policy,
    logger: log,
  });
  let server: Server | null = null;
  const sweepSessions = () => sweepEndedSessions(orm.em.fork(), config.sessions);
  // Unref'd: it never keeps the process alive; a failed sweep is retried at the next tick.
  const sweepTimer = setInterval(() => {
    sweepSessions().catch((error: unknown) => log.warn('Session sweep failed:', error));
  }, SESSION_SWEEP_INTERVAL_MS);
  sweepTimer.unref();

  const rekey: Rekey = {
    app,
    orm,
    deps,
    url: null,
    sweepSessions,
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
      clearInterval(sweepTimer);
      if (server) {
        const closing = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        await closing;
      }
      // Never close the database under a request that is still working.
      await app.settled();
      await limiter.close();
      await orm.close(true);
    },
  };
  return rekey;
}
