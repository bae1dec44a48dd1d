import type { MikroORM } from '@mikro-orm/core';

/** PostgreSQL's invalid_catalog_name: the database the connection names does not exist. */
const NO_SUCH_DATABASE = '3D000';

/** DATABASE_URL names a database that is not there; the start stops instead of creating it. */
export class MissingDatabaseError extends Error {
  override name = 'MissingDatabaseError';
}

function codeOf(error: unknown, depth = 0): unknown {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const { code, cause } = error as { code?: unknown; cause?: unknown };
  return code ?? codeOf(cause, depth + 1);
}

/**
 * A mistyped DATABASE_URL must not become a new, empty database that reports
 * ready with no users in it (MikroORM creates a missing database by default:
 * `ensureDatabase`, and its migrator does too). So the first statement runs
 * before any migration, and a missing database stops the start with one line.
 * The ORM is closed on any failure here.
 */
export async function requireExistingDatabase(orm: MikroORM, databaseUrl: string): Promise<void> {
  try {
    await orm.em.getConnection().execute('select 1');
  } catch (error) {
    await orm.close(true);
    if (codeOf(error) !== NO_SUCH_DATABASE) throw error;
    const url = new URL(databaseUrl);
    const name = decodeURIComponent(url.pathname.slice(1));
    throw new MissingDatabaseError(`Database "${name}" does not exist on ${url.host} (DATABASE_URL); Rekey never creates a database.`);
  }
}
