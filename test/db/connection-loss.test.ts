import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MeDocument } from '../generated/graphql.ts';
import { signUp } from '../support/accounts.ts';
import { graphql } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The pool src/db/orm.ts opens on PostgreSQL holds 10 connections; more deaths than that would
// exhaust it if any one of them stayed checked out.
const DEATHS = 12;

// Needs PostgreSQL's server processes to end (CI's second run); embedded PGlite has no pool.
const describeWithPostgres = process.env.DATABASE_URL ? describe : describe.skip;

describeWithPostgres('a connection that dies inside a transaction', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DB_CONNECT_TIMEOUT: '1s' });
  }, 60_000);
  afterAll(() => server?.close(), 60_000);

  // A server restart or a cut network ends connections in the middle of transactions; then the
  // COMMIT or ROLLBACK fails too. Kysely before 0.29.9 released the connection only when those
  // succeeded, so each such death kept a slot of the pool, and once the pool was full of dead
  // connections every request waited DB_CONNECT_TIMEOUT and answered 503, for good.
  it('gives its pool slot back: after more deaths than the pool holds, the app still answers', async () => {
    const account = await signUp(server.graphqlUrl);
    for (let death = 0; death < DEATHS; death += 1) {
      const work = server.rekey.orm.em.fork().transactional((em) => em.execute('select pg_terminate_backend(pg_backend_pid())'));
      // The server's own words for the ended connection, not a pool timeout.
      await expect(work).rejects.toThrow(/terminating connection due to administrator command|connection terminated/i);
    }
    const me = await graphql(server.graphqlUrl, MeDocument, {}, { token: account.token });
    expect(me.status).toBe(200);
    expect(me.data?.me?.email).toBe(account.email);
  });
});
