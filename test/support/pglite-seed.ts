import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { PgliteConnection } from '@mikro-orm/pglite';
import { initORM, migrate, type PgliteSeed } from '../../src/db/orm.ts';
import { entities } from '../../src/server/entities.ts';

// The package's exports do not include its package.json; a seed is only valid for the version that made it.
const { version } = JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const MIGRATIONS_DIR = new URL('../../src/db/migrations/', import.meta.url);

/** The migrations as they are now: a seed made before any of them changed is not used. */
function migrationsDigest(): string {
  const digest = createHash('sha256');
  for (const name of readdirSync(MIGRATIONS_DIR).sort()) digest.update(name).update(readFileSync(new URL(name, MIGRATIONS_DIR)));
  return digest.digest('hex').slice(0, 16);
}

const SEED_FILE = join(tmpdir(), `rekey-test-pglite-${version}-${migrationsDigest()}.tar`);

/** What test/support/jest-environment.mjs shares between the test files of one jest worker (absent outside jest). */
const workerShared = (globalThis as { rekeyWorkerShared?: Map<string, unknown> }).rekeyWorkerShared ?? new Map<string, unknown>();

/**
 * A PGlite data directory with every migration applied, dumped once per
 * machine, PGlite version and set of migrations: each embedded test server
 * starts from it instead of running initdb (3–6 s of CPU here) and the
 * migrations. The server still runs its migrator, which finds nothing
 * pending. Its 40 MB are read once per jest worker and handed to every
 * server as they are (PGlite only reads them), not copied into a Blob each time.
 */
export async function pgliteSeed(): Promise<PgliteSeed> {
  let bytes = workerShared.get(SEED_FILE) as Promise<ArrayBuffer> | undefined;
  if (bytes === undefined) {
    bytes = readSeed();
    workerShared.set(SEED_FILE, bytes);
  }
  const seed = await bytes;
  return { type: 'application/x-tar', arrayBuffer: () => Promise.resolve(seed) };
}

async function readSeed(): Promise<ArrayBuffer> {
  if (!existsSync(SEED_FILE)) {
    const dump = await migratedDataDir();
    // Written aside, then renamed: a parallel worker reads a whole file or none.
    const partial = `${SEED_FILE}.${process.pid}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, SEED_FILE);
  }
  const file = await readFile(SEED_FILE);
  return file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
}

async function migratedDataDir(): Promise<Blob> {
  const empty = await PGlite.create({ dataDir: 'memory://' });
  const cluster = await empty.dumpDataDir('none');
  await empty.close();
  const orm = await initORM({ entities, databaseUrl: null, pgliteDir: 'memory://', pgliteSeed: cluster });
  try {
    await migrate(orm);
    const pglite = await (orm.em.getConnection() as unknown as PgliteConnection).getNativeClient();
    return await pglite.dumpDataDir('none');
  } finally {
    await orm.close(true);
  }
}
