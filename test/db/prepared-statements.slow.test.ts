import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { MAX_PREPARED_STATEMENTS, executePrepared } from '../../src/db/prepared-statement.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const embedded = !process.env.DATABASE_URL;

let server: TestServer;
const db = () => server.rekey.orm.em.fork();

/** The statements this database session holds prepared whose text mentions `marker`. */
async function preparedMentioning(marker: string): Promise<string[]> {
  const rows = await db().execute<{ statement: string }[]>(`select statement from pg_prepared_statements where statement like ?`, [`%${marker}%`]);
  return rows.map((row) => row.statement);
}

beforeAll(async () => {
  server = await startTestServer();
  await db().execute('create table "prepared_probe" ("id" int primary key, "note" text not null)');
});

afterAll(async () => {
  await server.close();
});

describe('executePrepared', () => {
  it('answers exactly as db.execute does: rows, affected-row counts and errors', async () => {
    const insert = 'insert into "prepared_probe" ("id", "note") values (?, ?) returning *';
    expect(await executePrepared(db(), insert, [1, "it's"])).toEqual(await db().execute('select 1 as "id", ? as "note"', ["it's"]));
    await executePrepared(db(), insert, [2, 'two']);
    const update = 'update "prepared_probe" set "note" = ? where "id" <= ?';
    expect(await executePrepared(db(), update, ['both', 2], 'run')).toEqual(await db().execute(update, ['both', 2], 'run'));
    await expect(executePrepared(db(), insert, [1, 'again'])).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(await executePrepared(db(), 'select "note" from "prepared_probe" where "id" = ?', [3])).toEqual([]);
  });

  (embedded ? it : it.skip)('on PGlite prepares a statement once and reuses it', async () => {
    const sql = 'select count(*)::int as "rows" from "prepared_probe" where "note" <> ? /* once */';
    for (let i = 0; i < 5; i++) expect(await executePrepared(db(), sql, ['x'])).toEqual([{ rows: 2 }]);
    const [statement, ...others] = await db().execute<{ statement: string; runs: number }[]>(
      `select statement, (generic_plans + custom_plans)::int as "runs" from pg_prepared_statements where statement like '%/* once */%'`,
    );
    expect(others).toEqual([]);
    expect(statement?.statement).toMatch(/^prepare rekey_[0-9a-f]{24} as select .* \$1 \/\* once \*\/$/);
    expect(statement?.runs).toBe(5);
  });

  (embedded ? it.skip : it)('on PostgreSQL names it on each pooled connection once, and runs it plainly inside a transaction', async () => {
    const sql = 'select ?::int as "n" /* named */';
    // One request at a time: the pool hands back the connection it just got back, so these all run on one.
    for (let i = 0; i < 5; i++) expect(await executePrepared(db(), sql, [i])).toEqual([{ n: i }]);
    const named = await executePrepared<{ name: string; statement: string; runs: number }[]>(
      db(),
      `select name, statement, (generic_plans + custom_plans)::int as "runs" from pg_prepared_statements where statement like '%/* named */' /* look */`,
    );
    expect(named).toEqual([{ name: expect.stringMatching(/^rekey_[0-9a-f]{24}$/), statement: 'select $1::int as "n" /* named */', runs: 5 }]);
    await db().transactional(async (tx) => {
      expect(await executePrepared(tx, 'select ?::int as "n" /* plain */', [7])).toEqual([{ n: 7 }]);
      const rows = await tx.execute<{ statement: string }[]>(`select statement from pg_prepared_statements where statement like '%/* plain */%'`);
      expect(rows).toEqual([]);
    });
  });

  (embedded ? it.skip : it)('on PostgreSQL follows a column added while it is prepared (a deploy\'s migration)', async () => {
    await db().execute('create table "prepared_columns" ("id" int primary key)');
    await db().execute('insert into "prepared_columns" values (1)');
    const sql = 'select * from "prepared_columns" where "id" = ?';
    expect(await executePrepared(db(), sql, [1])).toEqual([{ id: 1 }]);
    await db().execute(`alter table "prepared_columns" add column "note" text not null default 'new'`);
    expect(await executePrepared(db(), sql, [1])).toEqual([{ id: 1, note: 'new' }]);
    expect(await executePrepared(db(), sql, [1])).toEqual([{ id: 1, note: 'new' }]);
  });

  it('survives first uses that race each other, inside and outside transactions', async () => {
    const sql = 'select "note" from "prepared_probe" where "id" = ? /* race */';
    const outside = Array.from({ length: 10 }, () => executePrepared(db(), sql, [1]));
    const inside = Array.from({ length: 5 }, () => db().transactional((tx) => executePrepared(tx, sql, [2])));
    expect(await Promise.all(outside)).toEqual(Array(10).fill([{ note: 'both' }]));
    expect(await Promise.all(inside)).toEqual(Array(5).fill([{ note: 'both' }]));
    if (embedded) expect(await preparedMentioning('/* race */')).toHaveLength(1);
  });

  it('keeps working after the transaction that prepared it rolled back', async () => {
    const sql = 'select "note" from "prepared_probe" where "id" = ? /* rollback */';
    await expect(
      db().transactional(async (tx) => {
        await executePrepared(tx, sql, [1]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await executePrepared(db(), sql, [1])).toEqual([{ note: 'both' }]);
  });

  it('prepares again when the statement was dropped behind its back', async () => {
    const sql = 'select "id" from "prepared_probe" where "id" = ? /* dropped */';
    await executePrepared(db(), sql, [1]);
    if (embedded) {
      await db().execute('deallocate all');
      // The first call after the drop fails (its transaction could not retry); the next prepares afresh.
      await executePrepared(db(), sql, [1]).catch(() => undefined);
    } else {
      // As a pooler in transaction mode would: the pooled connection that prepared it loses it.
      const pool = (await server.rekey.orm.em.getConnection().getNativeClient()) as { query(sql: string): Promise<unknown> };
      await pool.query('deallocate all');
      // The server's "no such statement" costs nothing visible: the statement runs plainly.
      expect(await executePrepared(db(), sql, [1])).toEqual([{ id: 1 }]);
    }
    expect(await executePrepared(db(), sql, [1])).toEqual([{ id: 1 }]);
  });

  (embedded ? it.skip : it)('on PostgreSQL keeps working after the ORM closed its pool and reopened with a new one', async () => {
    const sql = 'select ?::int as "n" /* reopened */';
    expect(await executePrepared(db(), sql, [1])).toEqual([{ n: 1 }]);
    await server.rekey.orm.em.getConnection().close();
    // db.execute would reconnect on its next query; a named statement must not keep the ended pool.
    expect(await executePrepared(db(), sql, [2])).toEqual([{ n: 2 }]);
  });

  it('stops preparing past its limit but still runs every statement', async () => {
    const texts = Array.from({ length: MAX_PREPARED_STATEMENTS + 5 }, (_, i) => `select ?::int + ${i} as "n" /* many */`);
    for (const [i, sql] of texts.entries()) expect(await executePrepared(db(), sql, [1])).toEqual([{ n: 1 + i }]);
    if (embedded) expect((await preparedMentioning('/* many */')).length).toBeLessThanOrEqual(MAX_PREPARED_STATEMENTS);
  });
});
