import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { Config } from '../config/config.ts';
import type { Orm, PgliteSeed } from '../db/orm.ts';
import { SecurityEvents } from '../events/security-events.ts';
import { Readiness } from '../http/readiness.ts';
import type { AccountDeps } from '../identity/account-service.ts';
import type { AttemptLimiter } from '../limits/attempt-limiter.ts';
import { createLogger, type AppLogger } from '../observability/logging.ts';
import type { Metrics } from '../observability/metrics.ts';
import { openMetrics } from '../observability/open-metrics.ts';
import type { RunningTracing } from '../observability/start-tracing.ts';
import { recordFinishedSpan } from '../observability/tracing.ts';
import type { OutboxWorker } from '../outbox/outbox-worker.ts';
import type { PasswordHasher } from '../passwords/hashing/password-hasher.ts';
import { UserRepository } from '../users/user.repository.ts';
import { enableEmbeddedSessionCache } from '../sessions/embedded-session-cache.ts';
import { accountsFor, type AccountsForOptions } from '../http/accounts-for.ts';
import { createApp, type App } from './app.ts';
import { startBackgroundJobs, type BackgroundJobs } from './background-jobs.ts';
import { composeAccountDeps, createLimiter, openPasswordServices, type PasswordServices } from './compose-services.ts';
import { openTokenKeys, serverSecret } from './token-keys.ts';
import type { KeyRing } from '../access-tokens/key-ring.ts';
import type { Secret } from '../secrets/secret.ts';
import { openDatabase, type DatabaseConfig, type OpenDatabaseOptions } from './database.ts';
import { DRAIN_QUIET_MS, drain, listen } from './http-server.ts';
import { lowerPoolThreadPriority } from './pool-thread-priority.ts';
import { connectRedis } from './redis.ts';

export interface Rekey {
  app: App;
  orm: Orm;
  deps: AccountDeps;
  /** This instance's outbox worker (security notifications). */
  outbox: OutboxWorker;
  /** The shared ES256 signing keys as this instance holds them (null with HS256). */
  keyRing: KeyRing | null;
  /** This instance's Prometheus series (its own registry). */
  metrics: Metrics;
  readiness: Readiness;
  /** Set once `listen` has been called. */
  url: string | null;
  listen(): Promise<string>;
  /** One sweep of ended sessions (the timer runs it hourly); returns how many were deleted. */
  sweepSessions(): Promise<number>;
  /** Embedded PGlite only (it runs no autovacuum), hourly after the sweep: VACUUM (ANALYZE) of each table; returns them. */
  vacuumEmbedded(): Promise<string[]>;
  /**
   * The drain: /ready turns 503, no new connections, in-flight requests finish
   * (up to SHUTDOWN_TIMEOUT; kept-alive connections are answered with
   * `Connection: close`), then the database and Redis close.
   */
  close(): Promise<void>;
}

/** Everything start-up builds, in order: secret → database (migrated) → limiter → app. */
export interface RekeyOptions {
  /** Default: silent. */
  log?: AppLogger;
  /** Where embedded PGlite lives; tests pass `memory://`. Default: DATA_DIR/pglite. */
  pgliteDir?: string;
  /** A dump a new embedded database starts from (see DatabaseSettings.pgliteSeed); tests pass one. */
  pgliteSeed?: PgliteSeed;
  /** Another AccountService with the same contract (the benchmark's naive reference flow). */
  createService?: AccountsForOptions['createService'];
  /**
   * How long the drain waits for no request to arrive before it closes idle
   * kept-alive connections (default DRAIN_QUIET_MS, for load balancers); a
   * test's own client, which sends nothing more, need not wait that long.
   */
  drainQuietMs?: number;
}

interface Stores {
  orm: Orm;
  redis: Redis | null;
  limiter: AttemptLimiter;
}

/** The database (migrated), Redis and the limiter on it; on failure whatever was opened is closed again. */
async function openStores(
  config: DatabaseConfig & Pick<Config, 'redisUrl' | 'redisTimeoutMs' | 'limits' | 'redisKeyPrefix'>,
  passwords: PasswordServices,
  metrics: Metrics,
  secret: Secret,
  options: OpenDatabaseOptions,
): Promise<Stores> {
  const orm = await openDatabase(config, options).catch(async (error: unknown) => {
    await passwords.breached.close();
    throw error;
  });
  try {
    // Embedded mode is one process by construction: it may cache the per-request session check.
    if (config.databaseUrl === null) await enableEmbeddedSessionCache(orm);
    const redis = config.redisUrl ? await connectRedis(config.redisUrl, config.redisTimeoutMs) : null;
    return { orm, redis, limiter: createLimiter(config, redis, metrics, secret) };
  } catch (error) {
    await passwords.breached.close();
    await orm.close(true);
    throw error;
  }
}

/**
 * bcrypt's threads yield to the event loop, its timings are observed, the
 * slowest stored hash is known before the first sign-in, and the decoy hashes
 * are made ahead of need (docs/design/timing-parity.md).
 */
async function tuneHasher(hasher: PasswordHasher, config: Pick<Config, 'bcryptThreadNice'>, metrics: Metrics, orm: Orm): Promise<void> {
  await lowerPoolThreadPriority(config.bcryptThreadNice);
  hasher.observer = (op, seconds) => {
    metrics.observeBcrypt(op, seconds);
    recordFinishedSpan(`bcrypt ${op}`, {}, seconds * 1000);
  };
  hasher.noteStoredHashes(await new UserRepository(orm.em.fork()).slowestStoredHash());
  // Computed in the background now, so the first unknown-email sign-in costs what the others do.
  hasher.prepareDecoys();
}

/** The OpenTelemetry SDK, loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set: off, tracing costs one null check per span site. */
async function startTracingIfConfigured(config: Pick<Config, 'tracing'>): Promise<RunningTracing | null> {
  if (config.tracing === null) return null;
  const { startTracing } = await import('../observability/start-tracing.ts');
  return startTracing(config.tracing);
}

export async function createRekey(config: Config, options: RekeyOptions = {}): Promise<Rekey> {
  const tracing = await startTracingIfConfigured(config);
  try {
    const rekey = await composeRekey(config, options);
    if (tracing === null) return rekey;
    const close = rekey.close;
    rekey.close = async () => {
      await close();
      await tracing.shutdown();
    };
    return rekey;
  } catch (error) {
    await tracing?.shutdown();
    throw error;
  }
}

async function composeRekey(config: Config, options: RekeyOptions): Promise<Rekey> {
  const { log = createLogger('silent'), pgliteDir, pgliteSeed, createService, drainQuietMs = DRAIN_QUIET_MS } = options;
  const secret = serverSecret(config, log);
  // Before the database: a corpus file that cannot be used stops the start at once, with nothing to undo.
  const passwords = await openPasswordServices(config, log);
  const metrics = await openMetrics({ scraped: config.metricsToken !== null });
  const { breached } = passwords;
  const breachedSource = config.breachedPasswords.source.kind;
  if (breached.enabled) metrics.setBreachedLookupFailures(() => ({ source: breachedSource, byReason: breached.counters.errors }));
  const { orm, redis, limiter } = await openStores(config, passwords, metrics, secret, { log, pgliteDir, pgliteSeed });
  const { keys: tokenKeys, ring } = await openTokenKeys(config, orm, log).catch(async (error: unknown) => {
    await limiter.close();
    await passwords.breached.close();
    await orm.close(true);
    throw error;
  });
  const jobs = startBackgroundJobs(orm, config, metrics, log);
  await tuneHasher(passwords.hasher, config, metrics, orm);
  const events = new SecurityEvents(config.notifications, () => jobs.outbox.wake());
  const deps = composeAccountDeps(config, { passwords, secret, tokenKeys, limiter, events });
  const readiness = new Readiness({
    database: () => orm.em.getConnection().execute('select 1'),
    redis: redis ? () => redis.ping() : null,
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
    keyRing: ring,
  });
  return running(config, { app, orm, deps, jobs, metrics, readiness, log, ring, drainQuietMs });
}

interface Parts {
  app: App;
  orm: Orm;
  deps: AccountDeps;
  jobs: BackgroundJobs;
  metrics: Metrics;
  readiness: Readiness;
  log: AppLogger;
  ring: KeyRing | null;
  drainQuietMs: number;
}

function running(config: Pick<Config, 'host' | 'port' | 'requestTimeoutMs' | 'shutdownTimeoutMs'>, parts: Parts): Rekey {
  const { app, orm, deps, jobs, metrics, readiness, ring } = parts;
  let server: Server | null = null;
  let closing: Promise<void> | undefined;
  const rekey: Rekey = {
    app,
    orm,
    deps,
    outbox: jobs.outbox,
    keyRing: ring,
    metrics,
    readiness,
    url: null,
    sweepSessions: jobs.sweepSessions,
    vacuumEmbedded: jobs.vacuumEmbedded,
    async listen() {
      const listening = await listen(app, config);
      server = listening.server;
      rekey.url = listening.url;
      return rekey.url;
    },
    close() {
      closing ??= shutDown(parts, server, config.shutdownTimeoutMs);
      return closing;
    },
  };
  return rekey;
}

async function shutDown({ app, orm, deps, jobs, readiness, log, ring, drainQuietMs }: Parts, server: Server | null, timeoutMs: number): Promise<void> {
  jobs.stopTimers();
  ring?.close();
  readiness.startDraining();
  if (server) await drain(server, app, timeoutMs, drainQuietMs);
  // Never close the database under a request that is still working.
  await app.settled();
  // The outbox worker stops claiming and releases its claims, while the database is open.
  await jobs.close();
  await deps.limiter.close();
  await deps.breached.close();
  // Bounded: after a database outage the pool can hold a connection that never comes back,
  // and ending the pool would wait for it for ever (the process is exiting anyway).
  await settleWithin(orm.close(true), 5_000, () => log.warn('Closing the database pool took too long; leaving it to the exit.'));
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
