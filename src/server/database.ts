import type { Config } from '../config/config.ts';
import { initORM, migrate, pgliteDirFor, type DatabaseSettings, type Orm, type PgliteSeed } from '../db/orm.ts';
import type { AppLogger } from '../observability/logging.ts';
import { entities } from './entities.ts';

/** Opens the ORM with Rekey's entities (see db/orm.ts for the rest of the settings). */
export function openOrm(settings: Omit<DatabaseSettings, 'entities'>): Promise<Orm> {
  return initORM({ ...settings, entities });
}

export type DatabaseConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'statementTimeoutMs' | 'dbConnectTimeoutMs'> & Partial<Pick<Config, 'tracing'>>;

export interface OpenDatabaseOptions {
  log: AppLogger;
  /** Where embedded PGlite lives; tests pass `memory://`. Default: DATA_DIR/pglite. */
  pgliteDir?: string | undefined;
  /** A dump a new embedded database starts from (see DatabaseSettings.pgliteSeed). */
  pgliteSeed?: PgliteSeed | undefined;
}

/** The configured database, migrated: what the server and the admin CLI both start from. */
export async function openDatabase(config: DatabaseConfig, { log, pgliteDir, pgliteSeed }: OpenDatabaseOptions): Promise<Orm> {
  const orm = await openOrm({
    databaseUrl: config.databaseUrl,
    pgliteDir: pgliteDir ?? pgliteDirFor(config.dataDir),
    ...(pgliteSeed ? { pgliteSeed } : {}),
    statementTimeoutMs: config.statementTimeoutMs,
    connectTimeoutMs: config.dbConnectTimeoutMs,
    traceStatements: (config.tracing ?? null) !== null,
  });
  try {
    const applied = await migrate(orm);
    if (applied.length > 0) log.info(`Applied migrations: ${applied.join(', ')}`);
    return orm;
  } catch (error) {
    await orm.close(true);
    throw error;
  }
}
