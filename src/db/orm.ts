import { dirname, join } from 'node:path';
import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import type { AbstractSqlDriver, SqlEntityManager } from '@mikro-orm/sql';
import { markEmbedded, isEmbedded } from './embedded-driver.ts';
import { createPrivateDir, ensurePrivateDir } from './private-dir.ts';
import { requireExistingDatabase } from './missing-database.ts';
import { migrationsList } from './migration-list.ts';
import { trimResultParsers } from './pglite-result-parsers.ts';
import { StatementSpanLogger } from '../observability/statement-spans.ts';

/** A data directory dump (a tar, or gzip'd tar by its `type`), as PGlite reads one: a Blob, or bytes kept in memory. */
export type PgliteSeed = Pick<Blob, 'arrayBuffer' | 'type'>;

/** Both drivers are SQL drivers: services get raw SQL and the query builder. */
export type Orm = MikroORM<AbstractSqlDriver, SqlEntityManager>;
export type Db = SqlEntityManager;
/** The entity classes; the features own them, so the caller passes them in (see server/entities.ts). */
export type EntityList = NonNullable<Options['entities']>;

export interface DatabaseSettings {
  entities: EntityList;
  /** `postgres://…` for a server; null for embedded PGlite. */
  databaseUrl: string | null;
  /** Where PGlite keeps its files: a directory, or `memory://`. */
  pgliteDir: string;
  /**
   * A PGlite data directory dump (`dumpDataDir`) that a new embedded database
   * starts from instead of running initdb: most of an in-memory PGlite's
   * start-up, which the tests pay for every server they start.
   */
  pgliteSeed?: PgliteSeed;
  /** Aborts any statement running longer (PostgreSQL's statement_timeout). */
  statementTimeoutMs?: number;
  /** Connecting, or waiting for a pooled connection, fails after this long instead of hanging (PostgreSQL only). */
  connectTimeoutMs?: number;
  debug?: boolean;
  /** Tracing is on: every statement the ORM runs becomes a span (observability/statement-spans.ts). */
  traceStatements?: boolean;
}

export function pgliteDirFor(dataDir: string): string {
  return join(dataDir, 'pglite');
}

/** What the server and the MikroORM CLI (mikro-orm.config.ts) share, besides the entities. */
export const ormBaseOptions = {
  extensions: [Migrator],
  migrations: { path: 'src/db/migrations', pathTs: 'src/db/migrations', snapshot: false },
};

function sharedOptions(settings: DatabaseSettings) {
  return {
    ...ormBaseOptions,
    entities: settings.entities,
    migrations: {
      ...ormBaseOptions.migrations,
      migrationsList,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    debug: settings.debug ?? false,
    // MikroORM reports each statement and its duration to the slow-query logger; at threshold 0 that is all of them.
    ...(settings.traceStatements ? { slowQueryThreshold: 0, slowQueryLoggerFactory: () => new StatementSpanLogger() } : {}),
    // Entities are declared up front; no folder discovery at start-up.
    discovery: { warnWhenNoEntities: true },
    allowGlobalContext: false,
    // Entity properties stay plain fields. With propagation on, MikroORM's prototype
    // setters redefine every property on each entity it hydrates, to track changes of
    // bi-directional relations (Rekey's entities have none) and mark entities dirty
    // for auto-flush (Rekey writes with explicit statements). In a profile of `me` the
    // redefinitions were MikroORM's largest single cost; flush still diffs snapshots.
    propagationOnPrototype: false,
  };
}

/**
 * Opens the ORM on PostgreSQL or embedded PGlite; both speak PostgreSQL. Each
 * driver is loaded only when chosen: a process uses one of them.
 */
export async function initORM(settings: DatabaseSettings): Promise<Orm> {
  const options = sharedOptions(settings);
  if (settings.databaseUrl !== null) {
    const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
    const timeout = settings.statementTimeoutMs;
    const orm = await MikroORM.init({
      ...options,
      driver: PostgreSqlDriver,
      clientUrl: settings.databaseUrl,
      ensureDatabase: false,
      pool: { min: 0, max: 10 },
      driverOptions: {
        ...(timeout === undefined ? {} : { statement_timeout: timeout }),
        // pg-pool applies this to opening a connection and to waiting for a free one:
        // with the server away, requests fail (503) instead of queueing forever.
        connectionTimeoutMillis: settings.connectTimeoutMs ?? 5_000,
        // A server that vanished without closing the socket (a cut network) is noticed.
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
      },
    });
    await requireExistingDatabase(orm, settings.databaseUrl);
    return orm;
  }
  // Owner-only, created before PGlite would create it world-readable; one an earlier version made is tightened.
  if (!settings.pgliteDir.startsWith('memory://')) {
    createPrivateDir(dirname(settings.pgliteDir));
    ensurePrivateDir(settings.pgliteDir);
  }
  const { PgliteDriver } = await import('@mikro-orm/pglite');
  const orm = await MikroORM.init({
    ...options,
    driver: PgliteDriver,
    dbName: settings.pgliteDir,
    ...(settings.pgliteSeed ? { driverOptions: { loadDataDir: blobThatSurvivesCloning(settings.pgliteSeed) } } : {}),
  });
  markEmbedded(orm.driver);
  await trimResultParsers(orm.em.getConnection());
  return orm;
}

/**
 * MikroORM copies its options into plain objects, which turns a Blob into
 * one whose methods throw "Illegal invocation". PGlite reads a seed through
 * `arrayBuffer()` and `type` only, so own properties carry it through.
 */
function blobThatSurvivesCloning(blob: PgliteSeed): PgliteSeed {
  return { type: blob.type, arrayBuffer: () => blob.arrayBuffer() };
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  if (isEmbedded(orm.driver)) return names(await orm.migrator.up());
  // Instances starting together on one PostgreSQL (a deploy) would run the same migrations at once and
  // collide in the catalog ("duplicate key … pg_type_typname_nsp_index"). One transaction-scoped advisory
  // lock makes them take turns: the first migrates, the others find nothing pending.
  const connection = orm.em.getConnection();
  return connection.transactional(async (trx) => {
    await connection.execute('select pg_advisory_xact_lock(?)', [MIGRATION_LOCK], 'all', trx);
    return names(await orm.migrator.up({ transaction: trx }));
  });
}

/** The advisory lock key migrations take on PostgreSQL (any constant this database uses for nothing else). */
const MIGRATION_LOCK = 0x72656b6579;

const names = (applied: { name: string }[]) => applied.map((migration) => migration.name);
