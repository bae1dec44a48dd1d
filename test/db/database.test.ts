import { describe, expect, it } from '@jest/globals';
import { createTestDatabase } from '../support/database.ts';
import { startTestServer } from '../support/server.ts';

// PostgreSQL only (CI's second run): PGlite has no concurrent sessions to protect.
const describeOnPostgres = process.env.DATABASE_URL ? describe : describe.skip;

describeOnPostgres('PostgreSQL connections', () => {
  it('run with the configured statement_timeout, so a stuck query cannot hold a request forever', async () => {
    const server = await startTestServer({ DB_STATEMENT_TIMEOUT: '1234ms' });
    try {
      const [setting] = await server.rekey.orm.em.fork().execute<{ statement_timeout: string }[]>('show statement_timeout');
      expect(setting?.statement_timeout).toBe('1234ms');
      await expect(server.rekey.orm.em.fork().execute('select pg_sleep(2)')).rejects.toThrow(/statement timeout/);
    } finally {
      await server.close();
    }
  });
});

describeOnPostgres('migrations', () => {
  it('let three instances start at once on one fresh database: they take turns, none fails, the schema is made once', async () => {
    const database = await createTestDatabase();
    const shared = { databaseUrl: database.databaseUrl, pgliteDir: 'memory://' };
    try {
      const started = await Promise.allSettled([1, 2, 3].map(() => startTestServer({}, { database: shared })));
      const servers = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      try {
        expect(started.map((outcome) => (outcome.status === 'rejected' ? String(outcome.reason) : 'started'))).toEqual(['started', 'started', 'started']);
        const [row] = await servers[0]!.rekey.orm.em
          .fork()
          .execute<{ applied: string; distinct: string }[]>('select count(*) as "applied", count(distinct "name") as "distinct" from "mikro_orm_migrations"');
        expect(Number(row?.applied)).toBeGreaterThan(0);
        expect(row?.applied).toBe(row?.distinct);
      } finally {
        await Promise.all(servers.map((server) => server.close()));
      }
    } finally {
      await database.drop();
    }
  });
});
