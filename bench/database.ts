import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServerDatabase } from '../test/support/server-database.ts';

export interface BenchDatabase {
  kind: 'PGlite' | 'PostgreSQL';
  /** What the server's environment needs to use it: DATABASE_URL, or a DATA_DIR for PGlite. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/**
 * A database for one bench server, removed afterwards: with `serverUrl` (the
 * caller's DATABASE_URL) a new database on that server, so nothing already
 * there is touched; otherwise embedded PGlite in a temporary DATA_DIR.
 */
export async function createBenchDatabase(label: string, serverUrl: string | undefined): Promise<BenchDatabase> {
  if (!serverUrl) {
    const dataDir = await mkdtemp(join(tmpdir(), `rekey-bench-${label}-`));
    return { kind: 'PGlite', env: { DATA_DIR: dataDir }, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const database = await createServerDatabase(serverUrl, `bench_${label}`);
  return { kind: 'PostgreSQL', env: { DATABASE_URL: database.url }, drop: database.drop };
}
