import { createServerDatabase } from './server-database.ts';

export interface TestDatabase {
  /** For createRekey: a fresh database URL, or null for embedded PGlite. */
  databaseUrl: string | null;
  pgliteDir: string;
  drop(): Promise<void>;
}

/**
 * A database of the test's own: with DATABASE_URL set, a new database on that
 * server (created now, dropped after, so nothing already there is touched);
 * otherwise an in-memory PGlite.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { databaseUrl: null, pgliteDir: 'memory://', drop: async () => undefined };
  const database = await createServerDatabase(serverUrl, 'test');
  return { databaseUrl: database.url, pgliteDir: 'memory://', drop: database.drop };
}
