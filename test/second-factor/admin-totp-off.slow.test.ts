import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecondFactorStatusDocument } from '../generated/graphql.ts';
import { PASSWORD, signIn, signUp } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { run } from '../support/graphql.ts';
import { startTestServer } from '../support/server.ts';
import { enrolTotp } from '../support/totp.ts';

// `npm run admin -- totp-off <email>` as an operator runs it, for an owner who
// lost the authenticator and every recovery code; its effect checked through the API.

let database: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'rekey-totp-off-'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

function admin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, BCRYPT_COST: '4', NODE_ENV: 'test' };
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  const child = spawn(process.execPath, ['src/admin/cli.ts', ...args], { env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The real server on the CLI's database, only while `check` runs (embedded PGlite allows one process at a time). */
async function withServer<T>(check: (url: string) => Promise<T>): Promise<T> {
  const server = await startTestServer({ DATA_DIR: dataDir }, { database: { databaseUrl: database.databaseUrl, pgliteDir: join(dataDir, 'pglite') } });
  try {
    return await check(server.graphqlUrl);
  } finally {
    await server.close();
  }
}

describe('admin totp-off', () => {
  it('turns TOTP off for a user, records SECOND_FACTOR_DISABLED, and sign-in is one step again', async () => {
    const account = await withServer(async (url) => {
      const created = await signUp(url);
      await enrolTotp(url, created);
      expect((await signIn(url, created.email, PASSWORD)).__typename).toBe('SecondFactorChallenge');
      return created;
    });

    const off = await admin(['totp-off', account.email.toUpperCase()]);
    expect(off).toEqual({ code: 0, stdout: `Two-step verification is off for ${account.email}; the owner is notified (SECOND_FACTOR_DISABLED).\n`, stderr: '' });
    const again = await admin(['totp-off', account.email]);
    expect(again.stdout).toBe(`${account.email} had no two-step verification on; nothing changed.\n`);
    const events = await admin(['events', account.email]);
    expect(events.stdout.split('\n')[0]).toMatch(/\tSECOND_FACTOR_DISABLED\t-\t-\trekey admin CLI$/);

    await withServer(async (url) => {
      const signedIn = await signIn(url, account.email, PASSWORD);
      expect(signedIn.__typename).toBe('AuthPayload');
      const token = signedIn.__typename === 'AuthPayload' ? signedIn.token : '';
      expect((await run(url, SecondFactorStatusDocument, {}, { token })).me?.secondFactor).toEqual({ totp: false, recoveryCodesLeft: 0 });
    });
  }, 300_000);

  it('names an unknown email', async () => {
    const outcome = await admin(['totp-off', 'nobody@example.com']);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe('rekey admin: No account with the email nobody@example.com.\n');
  }, 120_000);
});
