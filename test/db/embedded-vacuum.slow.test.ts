import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signUp } from '../support/accounts.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';

// PGlite is a single-user PostgreSQL backend: no autovacuum ever runs there.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ REFRESH_RATE_LIMIT: '10000' });
}, 180_000);
afterAll(() => server?.close(), 60_000);

const embedded = !process.env.DATABASE_URL;
const tableState = async (name: string) => {
  const [row] = await server.rekey.orm.em
    .fork()
    .execute(`select c."reltuples"::float8 as "tuples", c."relallvisible"::int as "allVisible" from "pg_class" c where c."relname" = ?`, [
      name,
    ]);
  return row as { tuples: number; allVisible: number };
};

describe('vacuuming the embedded database', () => {
  (embedded ? it : it.skip)('vacuums and analyzes every table, leaving sessions and refresh tokens working', async () => {
    const account = await signUp(server.graphqlUrl);
    const client = sessionClient(server.graphqlUrl);
    let refreshToken = account.refreshToken!;
    // Each rotation leaves dead row versions behind: a touched session, a spent token.
    for (let i = 0; i < 20; i += 1) refreshToken = expectType(await client.refresh(refreshToken), 'AuthPayload').refreshToken!;
    // Never analyzed: PostgreSQL marks that as -1 tuples.
    expect((await tableState('refresh_tokens')).tuples).toBe(-1);

    const tables = await server.rekey.vacuumEmbedded();

    expect(tables).toEqual(expect.arrayContaining(['users', 'sessions', 'refresh_tokens', 'security_events', 'outbox']));
    const tokens = await tableState('refresh_tokens');
    // Analyzed (the live rows counted) and vacuumed (its page marked all-visible).
    expect(tokens.tuples).toBeGreaterThanOrEqual(21);
    expect(tokens.allVisible).toBeGreaterThanOrEqual(1);
    expect((await tableState('sessions')).allVisible).toBeGreaterThanOrEqual(1);
    expect(expectType(await client.refresh(refreshToken), 'AuthPayload').session.id).toBe(account.session.id);
  });

  (embedded ? it.skip : it)('leaves PostgreSQL to its autovacuum', async () => {
    expect(await server.rekey.vacuumEmbedded()).toEqual([]);
  });
});
