import { describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { PgliteDriver } from '@mikro-orm/pglite';
import { ormBaseOptions } from '../../src/db/orm.ts';
import { entities } from '../../src/server/entities.ts';
import { trimResultParsers } from '../../src/db/pglite-result-parsers.ts';
import { pgliteSeed } from '../support/pglite-seed.ts';

const describeEmbedded = process.env.DATABASE_URL ? describe.skip : describe;

const EVERY_KIND = `select 7::int2 as "small", 42::int4 as "int", 9007199254740993::int8 as "big", 1.5::float8 as "float",
  12.34::numeric as "numeric", true as "bool", 'text'::text as "text", 'v'::varchar as "varchar", '{"k":[1]}'::jsonb as "jsonb",
  '{"k":2}'::json as "json", '2026-12-02 10:00:00+00'::timestamptz as "at", '2026-12-02'::date as "day",
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as "uuid", '\\xdeadbeef'::bytea as "bytes", null::int4 as "none",
  array[1, 2]::int4[] as "ints", array['a', 'b,c']::text[] as "texts", array['{"a":1}']::jsonb[] as "jsons",
  array[true, false] as "bools", array['2026-12-02 10:00:00+00']::timestamptz[] as "ats"`;

interface ParserTable {
  parsers: Record<string, unknown>;
}

describeEmbedded('PGlite result parsers, trimmed', () => {
  it('parse every scalar type and the arrays of those types exactly as the full table did, from a table a sixth its size', async () => {
    // Own properties (as pgliteSeed gives them): MikroORM clones its options, which breaks a Blob's methods.
    const loadDataDir = await pgliteSeed();
    const orm = await MikroORM.init({ ...ormBaseOptions, entities, driver: PgliteDriver, dbName: 'memory://', driverOptions: { loadDataDir } });
    try {
      const connection = orm.em.getConnection();
      const pglite = (await (connection as unknown as { getNativeClient(): Promise<ParserTable> }).getNativeClient()) as ParserTable;
      const before = await orm.em.fork().execute(EVERY_KIND);
      const fullSize = Object.keys(pglite.parsers).length;

      await trimResultParsers(connection);

      expect(await orm.em.fork().execute(EVERY_KIND)).toEqual(before);
      expect(before[0]).toMatchObject({ int: 42, bool: true, jsonb: { k: [1] }, ints: [1, 2], texts: ['a', 'b,c'], jsons: [{ a: 1 }] });
      expect(Object.keys(pglite.parsers).length).toBeLessThan(fullSize / 6);
    } finally {
      await orm.close(true);
    }
  });
});
