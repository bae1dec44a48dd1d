import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import { signIn, uniqueEmail } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FOREIGN_HASHES } from '../support/foreign-hashes.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer } from '../support/server.ts';

// `npm run admin -- import` as an operator runs it: a child process with the server's
// configuration, on a throw-away PostgreSQL database (or a temporary embedded one).

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  maxRssMiB: number;
}

let database: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'rekey-import-cli-'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Running {
  /** What the CLI has printed so far. */
  stdout(): string;
  finished: Promise<Outcome>;
  kill(): void;
}

/** Starts the CLI under /usr/bin/time for its peak memory. */
function startAdmin(args: string[]): Running {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, BCRYPT_COST: '4', NODE_ENV: 'test' };
  if (database.databaseUrl) env.DATABASE_URL = database.databaseUrl;
  const rssFile = join(dataDir, 'rss');
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, process.execPath, 'src/admin/cli.ts', ...args], { env, stdio: 'pipe' });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const stdout = () => Buffer.concat(chunks).toString();
  const finished = (async () => {
    const [code] = (await once(child, 'close')) as [number | null];
    // /usr/bin/time writes nothing when it is killed (a test that failed stops the CLI).
    const maxRssKiB = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : Number.NaN;
    rmSync(rssFile, { force: true });
    return { code, stdout: stdout(), stderr, seconds: (performance.now() - started) / 1000, maxRssMiB: maxRssKiB / 1024 };
  })();
  return { stdout, finished, kill: () => child.kill() };
}

async function admin(args: string[]): Promise<Outcome> {
  return await startAdmin(args).finished;
}

/** The real server on the CLI's database, only while `check` runs (embedded PGlite allows one process at a time). */
async function withServer(check: (url: string) => Promise<void>): Promise<void> {
  const server = await startTestServer({ DATA_DIR: dataDir }, { database: { databaseUrl: database.databaseUrl, pgliteDir: join(dataDir, 'pglite') } });
  try {
    await check(server.graphqlUrl);
  } finally {
    await server.close();
  }
}

describe('npm run admin -- import', () => {
  it('reports each row and a summary (--json too), writes nothing on --dry-run, imports nothing twice', async () => {
    const [argon, bcryptUser] = [uniqueEmail('argon'), uniqueEmail('bcrypt')];
    const file = join(dataDir, 'auth0.ndjson');
    const rows = [
      { email: argon, passwordHash: await FOREIGN_HASHES.argon2id!('Brought-Along-8') },
      { email: bcryptUser.toUpperCase(), passwordHash: await bcrypt.hash('Brought-Along-8', 6) },
      { email: uniqueEmail('plain'), password: 'Brought-Along-8' },
    ];
    writeFileSync(file, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);

    const dry = await admin(['import', file, '--format', 'auth0', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('2 would be imported, 0 skipped (an account exists), 1 refused. Dry run: nothing was written.');

    const first = await admin(['import', file, '--format', 'auth0', '--json']);
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      { row: 1, email: argon, outcome: 'imported', format: 'argon2' },
      { row: 2, email: bcryptUser, outcome: 'imported', format: 'bcrypt' },
      { row: 3, email: expect.any(String), outcome: 'refused', reason: 'a plain-text password: Rekey imports only password hashes' },
      { summary: { rows: 3, imported: 2, existing: 0, refused: 1, dryRun: false } },
    ]);
    expect(first.stdout).not.toContain('$argon2id$');

    const again = await admin(['import', file, '--format', 'auth0']);
    expect(again.stdout).toContain('3 rows: 0 imported, 2 skipped (an account exists), 1 refused.');
    await withServer(async (url) => {
      expectType(await signIn(url, argon, 'Brought-Along-8'), 'AuthPayload');
      expectType(await signIn(url, bcryptUser, 'Brought-Along-8'), 'AuthPayload');
    });
  }, 120_000);

  it('answers a wrong command line with exit status 2', async () => {
    const noFormat = await admin(['import', join(dataDir, 'auth0.ndjson')]);
    expect(noFormat.code).toBe(2);
    expect(noFormat.stderr).toContain('import needs --format');
    expect((await admin(['import', join(dataDir, 'missing.csv'), '--format', 'csv'])).code).toBe(2);
  }, 60_000);
});

describe('a large import', () => {
  it('streams: a batch is written and reported while the rest of the export does not exist yet', async () => {
    // A named pipe is a file that cannot be read whole: an importer that waited for the end would report nothing here.
    const pipe = join(dataDir, 'streamed.csv');
    execFileSync('mkfifo', [pipe]);
    const hash = await bcrypt.hash('Brought-Along-8', 4);
    const running = startAdmin(['import', pipe, '--format', 'csv']);
    // Read-write, so opening never blocks on a reader that failed to start.
    const out = createWriteStream(pipe, { flags: 'r+' });
    const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, index) => `streamed-${from + index}@example.com,${hash}\n`).join('');
    try {
      out.write(`email,password_hash\n${rows(0, 1500)}`);

      // The first batch (1,000 rows) is committed and reported while the pipe is still open.
      const deadline = Date.now() + 30_000;
      while (!running.stdout().includes('row 1000\timported\t') && Date.now() < deadline) await delay(50);
      expect(running.stdout()).toContain('row 1000\timported\tstreamed-999@example.com');
      expect(running.stdout()).not.toContain('row 1001\t');

      out.end(rows(1500, 2500));
      const outcome = await running.finished;
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toContain('row 2500\timported\tstreamed-2499@example.com');
      expect(outcome.stdout).toContain('2500 rows: 2500 imported, 0 skipped (an account exists), 0 refused.');
    } finally {
      out.destroy();
      running.kill();
      await running.finished;
    }
  }, 120_000);

  // 100k on PostgreSQL, as the issue asks; 10k on embedded PGlite, which CI runs too. Time and
  // peak memory are figures to report, not assertions (with PGlite the RSS is mostly the embedded database's).
  const rows = process.env.DATABASE_URL ? 100_000 : 10_000;

  it(`imports ${rows} rows, and a second run imports none of them`, async () => {
    const file = join(dataDir, 'large.csv');
    const hash = await bcrypt.hash('Brought-Along-8', 4);
    const out = createWriteStream(file);
    out.write('email,password_hash\n');
    for (let row = 0; row < rows; row += 1) {
      if (!out.write(`large-${row}@example.com,${hash}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');

    // The CLI's own footprint (with PGlite, the embedded database's memory too): a one-row import.
    const small = join(dataDir, 'one.csv');
    writeFileSync(small, `email,password_hash\nlarge-one@example.com,${hash}\n`);
    const baseline = await admin(['import', small, '--format', 'csv']);

    const first = await admin(['import', file, '--format', 'csv']);
    const database = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
    console.log(
      `import of ${rows} rows (${database}): ${first.seconds.toFixed(1)} s, peak RSS ${first.maxRssMiB.toFixed(0)} MiB (one row: ${baseline.seconds.toFixed(1)} s, ${baseline.maxRssMiB.toFixed(0)} MiB)`,
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${rows} rows: ${rows} imported, 0 skipped`);

    const second = await admin(['import', file, '--format', 'csv']);
    console.log(`re-run: ${second.seconds.toFixed(1)} s, peak RSS ${second.maxRssMiB.toFixed(0)} MiB`);
    expect(second.stdout).toContain(`${rows} rows: 0 imported, ${rows} skipped`);
  }, 600_000);
});
