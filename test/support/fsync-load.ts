/**
 * A disk kept busy by flushes, run as a child process (`node test/support/fsync-load.ts [databaseUrl]`)
 * so its loops take nothing from the server's event loop: small writes to a file of its own, each
 * followed by fsync, and with a database URL, connections committing one-row inserts with
 * synchronous_commit on, so every commit waits for a WAL flush, as a busy neighbour's would.
 * Prints "ready" once the load runs; stops when its parent kills it.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const WRITERS = 16;

async function flushFileForever(): Promise<void> {
  const file = openSync(join(mkdtempSync(join(tmpdir(), 'rekey-fsync-')), 'load'), 'w');
  const block = Buffer.alloc(256 * 1024, 7);
  try {
    for (;;) {
      writeSync(file, block);
      fsyncSync(file);
      // Yield, so the database writers' callbacks run.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    closeSync(file);
  }
}

async function commitForever(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('set synchronous_commit = on');
  for (;;) await client.query(`insert into "fsync_load" ("payload") values (repeat('x', 200))`);
}

const databaseUrl = process.argv[2];
if (databaseUrl) {
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query(`create table if not exists "fsync_load" ("id" bigserial primary key, "payload" text not null)`);
  await setup.end();
  for (let writer = 0; writer < WRITERS; writer += 1) void commitForever(databaseUrl);
}
void flushFileForever();
process.stdout.write('ready\n');
