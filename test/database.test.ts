import { describe, expect, it } from '@jest/globals';
import { startTestServer } from './support/server.ts';

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
