import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface BenchDatabase {
  kind: 'PGlite' | 'PostgreSQL';
  /** What the server's environment needs to use it: DATABASE_URL, or a DATA_DIR for PGlite. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
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
  const name = `rekey_bench_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'PostgreSQL',
    env: { DATABASE_URL: url.toString() },
    drop: () => onServer(serverUrl, `drop database if exists "${name}" with (force)`),
  };
}
