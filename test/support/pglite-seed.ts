import { existsSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

// The package's exports do not include its package.json; the seed is only valid for the version that made it.
const { version } = JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8')) as {
  version: string;
};
const SEED_FILE = join(tmpdir(), `rekey-test-pglite-${version}.tar`);

/**
 * A freshly initialised PGlite data directory, dumped once per machine and
 * PGlite version: each embedded test server starts from it in about a tenth
 * of what initdb takes (3–6 s of CPU a server here). Migrations still run.
 */
export async function pgliteSeed(): Promise<Blob> {
  if (!existsSync(SEED_FILE)) {
    const pglite = await PGlite.create({ dataDir: 'memory://' });
    const dump = await pglite.dumpDataDir('none');
    await pglite.close();
    // Written aside, then renamed: a parallel worker reads a whole file or none.
    const partial = `${SEED_FILE}.${process.pid}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, SEED_FILE);
  }
  return new Blob([await readFile(SEED_FILE)]);
}
