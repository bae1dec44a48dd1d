import { createServer, type Server } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { accountsFor, type AccountsForOptions } from './accounts-for.ts';
import type { AccountDeps } from '../identity/account-service.ts';
import { enableEmbeddedSessionCache } from '../sessions/embedded-session-cache.ts';
import { BreachedCorpusError, openBreachedPasswords } from '../passwords/breached/breached-passwords.ts';
import { PasswordHasher } from '../passwords/hashing/password-hasher.ts';
import { PasswordHistory } from '../passwords/history/password-history.ts';
import { PasswordPolicy } from '../passwords/password-policy.ts';
import { SESSION_SWEEP_INTERVAL_MS, sweepEndedSessions } from '../sessions/session-sweep.ts';
import { SessionTokens } from '../sessions/session-tokens.ts';
import { DeviceTokenSigner } from '../devices/device-token-signer.ts';
import { LegacyTokens } from '../sessions/legacy-tokens.ts';
import { createApp, type App } from './app.ts';
import { ConfigError, type Config } from '../config/config.ts';
import { initORM, migrate, pgliteDirFor, type Orm } from '../db/orm.ts';
import { loadOrCreateDevSecret } from '../config/dev-secret.ts';
import { vacuumEmbedded } from '../db/embedded-vacuum.ts';
import { RetentionSweep } from '../events/retention-sweep.ts';
import { SecurityEvents } from '../events/security-events.ts';
import { createLogger, type AppLogger } from '../observability/logging.ts';
import { EmailSender } from '../notifications/email-sender.ts';
import { WebhookSender } from '../notifications/webhook-sender.ts';
import { OutboxRepository } from '../outbox/outbox-repository.ts';
import { OutboxWorker } from '../outbox/outbox-worker.ts';
import { WindowAttemptLimiter, type AttemptLimiter } from '../limits/attempt-limiter.ts';
import { observedLimiter } from '../limits/observed-limiter.ts';
import { Readiness } from '../http/readiness.ts';
import { lowerPoolThreadPriority } from './pool-thread-priority.ts';
import { Metrics } from '../observability/metrics.ts';

export interface Rekey {
  app: App;
  orm: Orm;
  deps: AccountDeps;
  /** This instance's outbox worker (security notifications). */
  outbox: OutboxWorker;
  /** This instance's Prometheus series (its own registry). */
  metrics: Metrics;
  readiness: Readiness;
  /** Set once `listen` has been called. */
  url: string | null;
  listen(): Promise<string>;
  /**
   * The drain: /ready turns 503, no new connections, in-flight requests finish
   * (up to SHUTDOWN_TIMEOUT; kept-alive connections are answered with
   * `Connection: close`), then the database and Redis close.
   */
  /** One sweep of ended sessions (the timer runs it hourly); returns how many were deleted. */
  sweepSessions(): Promise<number>;
  /** Embedded PGlite only (it runs no autovacuum), hourly after the sweep: VACUUM (ANALYZE) of each table; returns them. */
  vacuumEmbedded(): Promise<string[]>;
  close(): Promise<void>;
}

/** Connecting to Redis, and any one command, gives up after `timeoutMs` (REDIS_TIMEOUT; then password checks fail closed). */
async function connectRedis(url: string, timeoutMs: number): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    // Fail fast while Redis is away (password checks then fail closed) and reconnect in the background.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: timeoutMs,
    // A partition that drops packets leaves the socket open, and TCP takes many minutes to give up.
    // Every command settles within the bound ...
    commandTimeout: timeoutMs,
    // ... and a connection that has a command waiting but receives nothing for as long is dropped
    // and replaced, so commands do not pile up on it.
    socketTimeout: timeoutMs,
    // A command already answered "timed out" is not sent again after the reconnection: the caller
    // was refused, so the attempt must not be counted later.
    autoResendUnfulfilledCommands: false,
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
  /** A dump a new embedded database starts from (see DatabaseSettings.pgliteSeed); tests pass one. */
  pgliteSeed?: Blob;
  /** Another AccountService with the same contract (the benchmark's naive reference flow). */
  createService?: AccountsForOptions['createService'];
}

export async function createRekey(config: Config, { log = createLogger('silent'), pgliteDir, pgliteSeed, createService }: RekeyOptions = {}): Promise<Rekey> {
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
    ...(pgliteSeed ? { pgliteSeed } : {}),
    statementTimeoutMs: config.statementTimeoutMs,
    connectTimeoutMs: config.dbConnectTimeoutMs,
  }).catch(async (error: unknown) => {
    await breached.close();
    throw error;
  });
  const metrics = new Metrics();
  let limiter: AttemptLimiter | undefined;
  let redis: Redis | null = null;
  try {
    const applied = await migrate(orm);
    if (applied.length > 0) log.info(`Applied migrations: ${applied.join(', ')}`);
    // Embedded mode is one process by construction: it may cache the per-request session check.
    if (config.databaseUrl === null) await enableEmbeddedSessionCache(orm);
    redis = config.redisUrl ? await connectRedis(config.redisUrl, config.redisTimeoutMs) : null;
    limiter = observedLimiter(
      redis ? WindowAttemptLimiter.redis(config.limits, redis, config.redisKeyPrefix) : WindowAttemptLimiter.inMemory(config.limits),
      (action, decision) => metrics.countRateLimitDecision(action, decision),
    );
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
  metrics.setOutboxCounts(() => new OutboxRepository(orm.em.fork()).countByState());
  const sweep = new RetentionSweep(orm, notifications, log);
  outbox.start();
  sweep.start();

  const hasher = new PasswordHasher(config.bcryptCost);
  await lowerPoolThreadPriority(config.bcryptThreadNice);
  hasher.observer = (op, seconds) => metrics.observeBcrypt(op, seconds);
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
    sessions: config.sessions,
    legacyTokens: config.legacyJwtSecret ? new LegacyTokens(config.legacyJwtSecret) : null,
    deviceTokens: new DeviceTokenSigner(secret),
  };
  const pinged = redis;
  const readiness = new Readiness({
    database: () => orm.em.getConnection().execute('select 1'),
    redis: pinged ? () => pinged.ping() : null,
    timeoutMs: Math.min(2_000, config.requestTimeoutMs),
  });
  const app = createApp({
    config,
    orm,
    accountsFor: accountsFor({ orm, deps, trustProxyHops: config.trustProxyHops, ...(createService ? { createService } : {}) }),
    policy: deps.policy,
    logger: log,
    metrics,
    readiness,
  });
  let server: Server | null = null;
  const sweepSessions = () => sweepEndedSessions(orm.em.fork(), config.sessions);
  const vacuum = async () => {
    const started = performance.now();
    const tables = await vacuumEmbedded(orm);
    if (tables.length > 0) log.debug(`Vacuumed the embedded database (${tables.length} tables) in ${Math.round(performance.now() - started)} ms`);
    return tables;
  };
  // Unref'd: it never keeps the process alive; a failed sweep is retried at the next tick.
  const sweepTimer = setInterval(() => {
    sweepSessions()
      .catch((error: unknown) => log.warn('Session sweep failed:', error))
      .then(vacuum)
      .catch((error: unknown) => log.warn('Vacuuming the embedded database failed:', error));
  }, SESSION_SWEEP_INTERVAL_MS);
  sweepTimer.unref();
  let closing: Promise<void> | undefined;

  const rekey: Rekey = {
    app,
    orm,
    deps,
    outbox,
    metrics,
    readiness,
    url: null,
    sweepSessions,
    vacuumEmbedded: vacuum,
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
    close() {
      closing ??= (async () => {
        clearInterval(sweepTimer);
        readiness.startDraining();
        if (server) await drain(server, app, config.shutdownTimeoutMs);
        // Never close the database under a request that is still working.
        await app.settled();
        // The outbox worker stops claiming and releases its claims, while the database is open.
        await outbox.close();
        await sweep.close();
        email?.close();
        await limiter.close();
        await breached.close();
        // Bounded: after a database outage the pool can hold a connection that never comes back,
        // and ending the pool would wait for it for ever (the process is exiting anyway).
        await settleWithin(orm.close(true), 5_000, () => log.warn('Closing the database pool took too long; leaving it to the exit.'));
      })();
      return closing;
    },
  };
  return rekey;
}

// How long no request must have arrived on an open connection before idle ones are closed.
const DRAIN_QUIET_MS = 500;

/**
 * Stops taking connections without cutting open ones, then closes kept-alive
 * connections only once nobody is using them.
 *
 * http.Server#close would close idle kept-alive connections at once; a load
 * balancer that has not yet seen /ready turn 503 may be sending on one of them
 * at that moment, and HTTP/1.1 has no way to warn it. So until in-flight work
 * is done and no request has come for DRAIN_QUIET_MS, open connections are
 * still served — each answer with `Connection: close` (app.ts), so every
 * connection that carries a request during the drain closes cleanly after it.
 * Then idle connections are closed; whatever is open when SHUTDOWN_TIMEOUT
 * runs out is cut.
 */
async function drain(server: Server, app: App, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  NetServer.prototype.close.call(server);
  const timeout = new AbortController();
  let timedOut = false;
  const deadline = delay(timeoutMs, undefined, { signal: timeout.signal }).then(
    () => (timedOut = true),
    () => undefined,
  );
  try {
    while (!timedOut) {
      await Promise.race([app.settled(), deadline]);
      const quiet = app.quietForMs();
      if (quiet >= DRAIN_QUIET_MS || timedOut) break;
      await Promise.race([delay(DRAIN_QUIET_MS - quiet), deadline]);
    }
    if (!timedOut) {
      server.closeIdleConnections();
      await Promise.race([closed, deadline]);
    }
  } finally {
    timeout.abort();
  }
  server.closeAllConnections();
  await closed;
}

/** Waits for `work`, but at most `ms`; `onTimeout` says so. */
async function settleWithin(work: Promise<unknown>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
    timer.unref();
  });
  const outcome = await Promise.race([work.then(() => 'done' as const), late]);
  clearTimeout(timer);
  if (outcome === 'late') onTimeout();
}
