import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { startTestServer, TEST_SECRET, type TestServer } from './server.ts';

export interface CliOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface AdminCli {
  /** `npm run admin -- <args>` as an operator runs it (a child process with the server's configuration); `stdin` is piped in. */
  admin(args: string[], stdin?: string, options?: { viaNpm?: boolean; extraEnv?: Record<string, string> }): Promise<CliOutcome>;
  /** The real server on the CLI's database, only while `check` runs (embedded PGlite allows one process at a time). */
  withServer<T>(check: (server: TestServer) => Promise<T>, extraEnv?: Record<string, string>): Promise<T>;
  readonly database: TestDatabase;
  readonly dataDir: string;
}

/**
 * The admin CLI's test harness: a throw-away database (or a temporary
 * embedded one in DATA_DIR), made before the file's tests and dropped after.
 * The CLI shares the server's SERVER_SECRET, as it must in a real deployment.
 */
export function adminCliHarness(prefix: string): AdminCli {
  let database: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), `rekey-${prefix}-`));
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get database() {
      return database;
    },
    get dataDir() {
      return dataDir;
    },
    admin(args, stdin = '', { viaNpm = false, extraEnv = {} } = {}) {
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, BCRYPT_COST: '4', NODE_ENV: 'test', SERVER_SECRET: TEST_SECRET, ...extraEnv };
      if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
      const child = viaNpm
        ? spawn('npm', ['run', '--silent', 'admin', '--', ...args], { env, stdio: 'pipe' })
        : spawn(process.execPath, ['src/admin/cli.ts', ...args], { env, stdio: 'pipe' });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin.end(stdin);
      return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    },
    async withServer(check, extraEnv = {}) {
      const server = await startTestServer(
        { DATA_DIR: dataDir, ...extraEnv },
        { database: { databaseUrl: database.databaseUrl, pgliteDir: join(dataDir, 'pglite') } },
      );
      try {
        return await check(server);
      } finally {
        await server.close();
      }
    },
  };
}
