import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { ensurePrivateDir } from '../../src/db/private-dir.ts';
import { createRekey } from '../../src/server/runtime.ts';
import { testEnv } from '../support/server.ts';

// The embedded database holds password hashes: other local users must not read it.
const parent = mkdtempSync(join(tmpdir(), 'rekey-data-dir-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('the embedded data folder', () => {
  it('is created owner-only: DATA_DIR and its PGlite folder 0700, the development secret 0600', async () => {
    const dataDir = join(parent, 'nested', 'data');
    // Embedded PGlite on disk and a generated development secret, whatever the test run's DATABASE_URL.
    const config = loadConfig(testEnv({ DATA_DIR: dataDir, SERVER_SECRET: '' }));
    const rekey = await createRekey({ ...config, databaseUrl: null });
    await rekey.close();

    expect(mode(dataDir)).toBe('700');
    expect(mode(join(dataDir, 'pglite'))).toBe('700');
    expect(mode(join(dataDir, 'jwt-secret'))).toBe('600');
  }, 60_000);

  it('tightens a PGlite folder an earlier version left readable by others', () => {
    const pglite = join(parent, 'earlier', 'pglite');
    mkdirSync(pglite, { recursive: true });
    chmodSync(pglite, 0o755);
    ensurePrivateDir(pglite);
    expect(mode(pglite)).toBe('700');
  });
});
