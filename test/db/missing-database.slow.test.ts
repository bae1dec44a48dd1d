import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { runServerProcessToExit } from '../support/server-process.ts';
import { TEST_SECRET } from '../support/server.ts';

const serverUrl = process.env.DATABASE_URL;
// Needs a PostgreSQL server (CI's second run sets DATABASE_URL); skipped on embedded PGlite.
const describeWithPostgres = serverUrl ? describe : describe.skip;

async function databaseExists(name: string): Promise<boolean> {
  const orm = await MikroORM.init({ clientUrl: serverUrl!, entities: [], discovery: { warnWhenNoEntities: false } });
  try {
    const rows = await orm.em.getConnection().execute<{ found: number }[]>('select 1 as found from pg_database where datname = ?', [name]);
    return rows.length > 0;
  } finally {
    await orm.close(true);
  }
}

describeWithPostgres('a DATABASE_URL naming a database that does not exist', () => {
  it('stops the start with one line naming it, exits non-zero, and creates nothing', async () => {
    const name = `rekey_missing_${randomUUID().slice(0, 8)}`;
    const url = new URL(serverUrl!);
    url.pathname = `/${name}`;
    const { code, stdout, stderr } = await runServerProcessToExit({
      NODE_ENV: 'production',
      JWT_SECRET: TEST_SECRET,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'rekey-missing-db-')),
      PORT: '0',
      DATABASE_URL: url.href,
    });
    expect(code).not.toBe(0);
    expect(code).not.toBeNull();
    expect(stdout).not.toMatch(/listening on/);
    const lines = stderr.trim().split('\n');
    expect(lines).toEqual([
      `Rekey failed to start: Database "${name}" does not exist on ${url.host} (DATABASE_URL); Rekey never creates a database.`,
    ]);
    expect(await databaseExists(name)).toBe(false);
  });
});
