import { randomBytes } from 'node:crypto';
import pg from 'pg';

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

  const name = `rekey_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    pgliteDir: 'memory://',
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
