import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// `npm run admin -- users delete <email>` as an operator runs it (a child process
// on the server's database), its effects checked through the real API.

let database: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'rekey-admin-delete-'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

function admin(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, BCRYPT_COST: '4', NODE_ENV: 'test' };
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  const child = spawn(process.execPath, ['src/admin/cli.ts', ...args], { env, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** The server on the CLI's database only while `check` runs (embedded PGlite allows one process at a time). */
async function withServer<T>(check: (server: TestServer) => Promise<T>): Promise<T> {
  const server = await startTestServer({ DATA_DIR: dataDir }, { database: { databaseUrl: database.databaseUrl, pgliteDir: join(dataDir, 'pglite') } });
  try {
    return await check(server);
  } finally {
    await server.close();
  }
}

describe('users delete', () => {
  it('asks for the address again; a wrong answer or none deletes nothing; --yes deletes as deleteAccount does', async () => {
    const email = uniqueEmail('leaving');
    const other = uniqueEmail('staying');
    const userId = await withServer(async (server) => {
      await signUp(server.graphqlUrl, other);
      return Number((await signUp(server.graphqlUrl, email)).user.id);
    });

    const refused = await admin(['users', 'delete', email], 'someone-else@example.com\n');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Not confirmed: nothing was deleted');
    expect((await admin(['users', 'delete', email])).code).toBe(2);

    const confirmed = await admin(['users', 'delete', email.toUpperCase()], `${email}\n`);
    expect(confirmed.stderr).toContain('Type its address to confirm');
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain(`Deleted the account ${userId} of ${email}`);

    const again = await admin(['users', 'delete', email, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`No account with the email ${email}.`);
    expect((await admin(['users', 'delete', other, '--yes'])).code).toBe(0);

    await withServer(async (server) => {
      expectType(await signIn(server.graphqlUrl, email, 'Correct-Horse-9'), 'InvalidCredentialsError');
      const db = server.rekey.orm.em.fork();
      const events = await db.execute<{ kind: string; user_id: number | null }[]>(`select "kind", "user_id" from "security_events" order by "seq"`);
      expect(events.filter((event) => event.kind === 'ACCOUNT_DELETED')).toEqual([
        { kind: 'ACCOUNT_DELETED', user_id: null },
        { kind: 'ACCOUNT_DELETED', user_id: null },
      ]);
      expect(await db.execute(`select "id" from "users"`)).toEqual([]);
      // The address is free again.
      expect(Number((await signUp(server.graphqlUrl, email)).user.id)).not.toBe(userId);
    });
  }, 300_000);

  it('usage errors', async () => {
    expect((await admin(['users', 'list'])).stderr).toContain('Unknown users action "list" (only delete).');
    expect((await admin(['users', 'delete'])).stderr).toContain("users delete needs the account's email.");
  }, 30_000);
});
