import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChangePasswordDocument, MeDocument, SignInDocument } from '../generated/graphql.ts';
import { PASSWORD, signUp } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { graphql, type GraphQLResponse } from '../support/graphql.ts';
import { Relay } from '../support/relay.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const databaseUrl = process.env.DATABASE_URL;
// Needs a real PostgreSQL server to cut (CI's second run); skipped on embedded PGlite.
const describeWithPostgres = databaseUrl ? describe : describe.skip;

const REQUEST_TIMEOUT_MS = 5_000;
// pg-pool destroys a connection still being opened when this runs out, so on a loaded CI machine
// (where opening one through the relay can take over a second) 1 s turned recovery into a loop of
// aborted connects; 2 s recovered in every loaded run.
const DB_CONNECT_TIMEOUT = '2s';
const CLIENTS = 20;
const LOAD_MS = 10_000;
const CUT_AT_MS = 3_000;
const CUT_FOR_MS = 3_000;

interface Answer {
  operation: 'changePassword' | 'signIn' | 'me';
  status: number;
  /** The union member, `User`/`null` for `me`, or the top-level error code. */
  outcome: string;
  ms: number;
  at: number;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The app on a PostgreSQL database of its own, reached through a relay the test controls (one per describe). */
function behindRelay(requestTimeout: string): { readonly relay: Relay; readonly server: TestServer } {
  let database: TestDatabase;
  let relay: Relay;
  let server: TestServer;
  beforeAll(async () => {
    database = await createTestDatabase();
    const target = new URL(database.databaseUrl!);
    relay = new Relay(target, 5432);
    await relay.open();
    server = await startTestServer(
      { REQUEST_TIMEOUT: requestTimeout, DB_CONNECT_TIMEOUT },
      { database: { databaseUrl: relay.url(target), pgliteDir: 'memory://' } },
    );
  });
  afterAll(async () => {
    await server.close();
    await relay.cut(0);
    await database.drop();
  });
  return {
    get relay() {
      return relay;
    },
    get server() {
      return server;
    },
  };
}

describeWithPostgres('PostgreSQL cut for 3 s under load from 20 clients', () => {
  const app = behindRelay(`${REQUEST_TIMEOUT_MS}ms`);

  it('answers every request in time with a typed result or 503 SERVICE_UNAVAILABLE, then recovers with nothing lost or invented', async () => {
    const { relay, server } = app;
    const url = server.graphqlUrl;
    const accounts = await Promise.all(Array.from({ length: CLIENTS }, () => signUp(url)));
    const started = Date.now();
    const answers: Answer[] = [];
    const unexpected: string[] = [];

    async function timed<T>(operation: Answer['operation'], request: () => Promise<GraphQLResponse<T>>, outcomeOf: (data: T) => string) {
      const begin = Date.now();
      const response = await request();
      const answer: Answer = { operation, status: response.status, outcome: '', ms: Date.now() - begin, at: begin - started };
      const code = response.errors?.[0]?.extensions?.code;
      answer.outcome = response.errors?.length ? String(code ?? response.errors[0]?.message) : outcomeOf(response.data as T);
      answers.push(answer);
      return { answer, data: response.errors?.length ? null : (response.data as T) };
    }

    // The load runs LOAD_MS, and at least 4 s past the relay's real reopening (set below).
    let loadEndsAt = LOAD_MS;
    // Each client owns one account and keeps what it was last told: its password and token.
    const clients = accounts.map(async (account, index) => {
      let password = account.password;
      let token = account.token;
      let generation = 0;
      const lastRefused: string[] = [];
      for (let step = index; Date.now() - started < loadEndsAt; step += 1) {
        if (step % 3 === 0) {
          generation += 1;
          const next = `Changed-${index}-${generation}-Pass!`;
          const { answer, data } = await timed(
            'changePassword',
            () => graphql(url, ChangePasswordDocument, { input: { currentPassword: password, newPassword: next } }, { token }),
            (result) => result.changePassword.__typename,
          );
          if (data?.changePassword.__typename === 'ChangePasswordSuccess') {
            password = next;
            token = data.changePassword.token;
            lastRefused.length = 0;
          } else if (answer.outcome === 'SERVICE_UNAVAILABLE') {
            lastRefused.push(next);
          } else {
            unexpected.push(`client ${index} changePassword → ${answer.outcome}`);
          }
        } else if (step % 3 === 1) {
          const { answer } = await timed(
            'signIn',
            () => graphql(url, SignInDocument, { input: { email: account.email, password } }),
            (result) => result.signIn.__typename,
          );
          if (answer.outcome !== 'AuthPayload' && answer.outcome !== 'SERVICE_UNAVAILABLE') unexpected.push(`client ${index} signIn → ${answer.outcome}`);
        } else {
          const { answer } = await timed('me', () => graphql(url, MeDocument, {}, { token }), (result) => (result.me ? 'User' : 'null'));
          if (answer.outcome !== 'User' && answer.outcome !== 'SERVICE_UNAVAILABLE') unexpected.push(`client ${index} me → ${answer.outcome}`);
        }
      }
      return { email: account.email, password, refused: lastRefused };
    });

    // The outage, and what /ready says during it and after.
    const outage = (async () => {
      await wait(CUT_AT_MS);
      await relay.cut();
      const readyDuring: number[] = [];
      const readyMs: number[] = [];
      const cutEnds = Date.now() + CUT_FOR_MS;
      while (Date.now() < cutEnds) {
        const begin = Date.now();
        readyDuring.push((await fetch(`${server.url}/ready`)).status);
        readyMs.push(Date.now() - begin);
        await wait(200);
      }
      await relay.open();
      const reopened = Date.now();
      loadEndsAt = Math.max(LOAD_MS, reopened - started + 4_000);
      while ((await fetch(`${server.url}/ready`)).status !== 200 && Date.now() - reopened < 5_000) await wait(50);
      return { readyDuring, readyMs, readyAfterMs: Date.now() - reopened, reopenedAt: reopened - started };
    })();

    const [finals, { readyDuring, readyMs, readyAfterMs, reopenedAt }] = await Promise.all([Promise.all(clients), outage]);

    // Every answer typed, none a 500, none late.
    expect(unexpected).toEqual([]);
    const statuses = new Set(answers.map((answer) => answer.status));
    expect([...statuses].every((status) => status === 200 || status === 503)).toBe(true);
    for (const answer of answers.filter((a) => a.status === 503)) expect(answer.outcome).toBe('SERVICE_UNAVAILABLE');
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(REQUEST_TIMEOUT_MS);

    // The outage was seen, and the service came back by itself.
    const refused = answers.filter((answer) => answer.outcome === 'SERVICE_UNAVAILABLE');
    expect(refused.length).toBeGreaterThan(CLIENTS);
    // Counted from when the relay really reopened: on a loaded machine the last /ready probe of the
    // outage can run past CUT_FOR_MS.
    const afterOutage = answers.filter((answer) => answer.at > reopenedAt + 2_000);
    expect(afterOutage.length).toBeGreaterThan(CLIENTS);
    expect(afterOutage.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => answer.operation === 'changePassword' && answer.outcome === 'ChangePasswordSuccess').length).toBeGreaterThan(CLIENTS);
    // Polled every 200 ms; on a loaded machine each probe may itself take a while, but never past its 2 s bound.
    expect(readyDuring.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...readyMs)).toBeLessThan(REQUEST_TIMEOUT_MS);
    expect(readyDuring.every((status) => status === 503)).toBe(true);
    expect(readyAfterMs).toBeLessThan(2_000);

    // Every account's password is the last one whose change was answered success:
    // it signs in, and a change that was refused with 503 did not happen.
    for (const { email, password, refused: notApplied } of finals) {
      const now = await graphql(url, SignInDocument, { input: { email, password } });
      expect(now.data?.signIn.__typename).toBe('AuthPayload');
      for (const candidate of notApplied) {
        const phantom = await graphql(url, SignInDocument, { input: { email, password: candidate } });
        expect(phantom.data?.signIn.__typename).toBe('InvalidCredentialsError');
      }
    }
    expect(finals.filter((final) => final.password !== PASSWORD).length).toBe(CLIENTS);
  }, 40_000);
});

describeWithPostgres('PostgreSQL partitioned: connections stay open and nothing answers', () => {
  const app = behindRelay('3s');

  it('answers 503 SERVICE_UNAVAILABLE in time while TCP still waits, applies nothing, and recovers once the path is back', async () => {
    const { relay, server } = app;
    const url = server.graphqlUrl;
    const account = await signUp(url);
    relay.stall();
    // More requests than the pool holds: the first ones wait on stalled connections, the rest on the pool.
    const during = await Promise.all([
      ...Array.from({ length: 12 }, () => graphql(url, MeDocument, {}, { token: account.token })),
      graphql(url, ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: 'Partitioned-Pass-7' } }, { token: account.token }),
    ]);
    for (const answer of during) {
      expect(answer.status).toBe(503);
      expect(answer.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');
    }
    expect((await fetch(`${server.url}/ready`)).status).toBe(503);

    // The partition ends with every connection it held reset, as when the server dropped them
    // meanwhile, so the pool must replace them all.
    await relay.cut(0);
    await relay.open();
    let me = await graphql(url, MeDocument, {}, { token: account.token });
    for (let tries = 0; tries < 50 && me.status !== 200; tries += 1) {
      await wait(100);
      me = await graphql(url, MeDocument, {}, { token: account.token });
    }
    expect(me.data?.me?.email).toBe(account.email);
    // The change answered 503 did not happen.
    const old = await graphql(url, SignInDocument, { input: { email: account.email, password: PASSWORD } });
    expect(old.data?.signIn.__typename).toBe('AuthPayload');
  }, 40_000);
});

// Embedded PGlite has no socket to cut; closing the engine under the running
// app plays its failure (the same path as an I/O error: the query rejects).
const describeWithPglite = databaseUrl ? describe.skip : describe;

describeWithPglite('embedded database failing under the running app', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    token = (await signUp(server.graphqlUrl)).token;
    const connection = server.rekey.orm.em.getConnection() as unknown as { getNativeClient(): Promise<{ close(): Promise<void> }> };
    await (await connection.getNativeClient()).close();
  }, 60_000);
  afterAll(() => server.close().catch(() => undefined));

  it('answers GraphQL with 503 SERVICE_UNAVAILABLE, REST with its 503 body, and /ready with 503', async () => {
    const me = await graphql(server.graphqlUrl, MeDocument, {}, { token });
    expect(me.status).toBe(503);
    expect(me.errors?.[0]).toMatchObject({ message: 'Service temporarily unavailable. Please try again.', extensions: { code: 'SERVICE_UNAVAILABLE' } });
    expect(JSON.stringify(me)).not.toMatch(/PGlite|stack/i);

    const signIn = await graphql(server.graphqlUrl, SignInDocument, { input: { email: 'someone@example.com', password: PASSWORD } });
    expect(signIn.status).toBe(503);
    expect(signIn.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

    const rest = await fetch(`${server.url}/api/v1/change-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwt: token, currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }),
    });
    expect(rest.status).toBe(503);
    expect(await rest.json()).toEqual({ success: false, error: 'Service temporarily unavailable. Please try again.' });

    expect((await fetch(`${server.url}/ready`)).status).toBe(503);
  });
});
