import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observability/logging.ts';
import { createRekey } from '../../src/server/runtime.ts';
import { MeDocument } from '../generated/graphql.ts';
import { PASSWORD, signIn, signUp } from '../support/accounts.ts';
import { expectType, run } from '../support/graphql.ts';

// The embedded database and the development secret live in DATA_DIR and survive a restart.
describe('embedded database and development secret', () => {
  it('keeps users and the secret across a restart on the same DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rekey-data-'));
    // No JWT_SECRET and no DATABASE_URL: what `npm start` does for a newcomer.
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, PORT: '0', BCRYPT_COST: '4' });
    const warnings: string[] = [];
    const log = createLogger('warn', (_level, line) => warnings.push(line));

    const first = await createRekey(config, { log });
    const firstUrl = `${await first.listen()}/graphql`;
    const account = await signUp(firstUrl);
    await first.close();

    const secretFile = join(dataDir, 'jwt-secret');
    const secret = readFileSync(secretFile, 'utf8');
    expect(Buffer.byteLength(secret.trim())).toBeGreaterThanOrEqual(32);
    expect(statSync(secretFile).mode & 0o077).toBe(0);
    expect(warnings[0]).toMatch(/Generated a development secret in .*; set SERVER_SECRET in production/);

    const second = await createRekey(config, { log });
    const secondUrl = `${await second.listen()}/graphql`;
    try {
      expect(readFileSync(secretFile, 'utf8')).toBe(secret);
      expect(warnings[1]).toMatch(/Using a development secret in /);
      // The token from before the restart still works: same secret, same user.
      expect((await run(secondUrl, MeDocument, {}, { token: account.token })).me?.email).toBe(account.email);
      expectType(await signIn(secondUrl, account.email, PASSWORD), 'AuthPayload');
    } finally {
      await second.close();
    }
    // Two on-disk PGlite starts: slow on a loaded machine.
  }, 180_000);
});
