import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionCache } from '../../src/sessions/session-cache.ts';
import { changePassword, PASSWORD, signIn, signUp } from '../support/accounts.ts';
import { expectType } from '../support/graphql.ts';
import { sessionClient } from '../support/sessions.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Embedded mode (no DATABASE_URL) caches the per-request session check; PostgreSQL mode must not.
const embedded = !process.env.DATABASE_URL;
const describeEmbedded = embedded ? describe : describe.skip;
const describePostgres = embedded ? describe.skip : describe;

/** A second device of the same account, signed in with the password. */
async function secondDevice(url: string, email: string, password = PASSWORD) {
  return expectType(await signIn(url, email, password), 'AuthPayload');
}

describeEmbedded('the embedded session cache', () => {
  let server: TestServer;
  let client: ReturnType<typeof sessionClient>;
  let cache: SessionCache;
  beforeAll(async () => {
    server = await startTestServer();
    client = sessionClient(server.graphqlUrl);
    const attached = SessionCache.of(server.rekey.orm.em);
    if (attached === null) throw new Error('Embedded mode runs without a session cache');
    cache = attached;
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  it('answers a repeated me from memory', async () => {
    const account = await signUp(server.graphqlUrl);
    const before = cache.size;
    expect((await client.me(account.token))?.id).toBe(account.user.id);
    expect(cache.size).toBe(before + 1);
    expect((await client.me(account.token))?.id).toBe(account.user.id);
    expect(cache.size).toBe(before + 1);
  });

  it('refuses a revoked session at once', async () => {
    const account = await signUp(server.graphqlUrl);
    const other = await secondDevice(server.graphqlUrl, account.email);
    expect((await client.me(other.token))?.id).toBe(account.user.id);
    expectType(await client.revoke(account.token, other.session.id), 'SignOutSuccess');
    expect(await client.me(other.token)).toBeNull();
    // The revoking device stays signed in.
    expect((await client.me(account.token))?.id).toBe(account.user.id);
  });

  it('refuses a signed-out session at once, and every session after signing out everywhere', async () => {
    const account = await signUp(server.graphqlUrl);
    const other = await secondDevice(server.graphqlUrl, account.email);
    const third = await secondDevice(server.graphqlUrl, account.email);
    for (const token of [account.token, other.token, third.token]) expect((await client.me(token))?.id).toBe(account.user.id);
    expectType(await client.signOut(third.token), 'SignOutSuccess');
    expect(await client.me(third.token)).toBeNull();
    expectType(await client.signOut(account.token, true), 'SignOutSuccess');
    expect(await client.me(account.token)).toBeNull();
    expect(await client.me(other.token)).toBeNull();
  });

  it('refuses the old token and the other devices at once after a password change', async () => {
    const account = await signUp(server.graphqlUrl);
    const other = await secondDevice(server.graphqlUrl, account.email);
    expect((await client.me(account.token))?.id).toBe(account.user.id);
    expect((await client.me(other.token))?.id).toBe(account.user.id);
    const changed = expectType(
      await changePassword(server.graphqlUrl, account.token, { currentPassword: PASSWORD, newPassword: 'Another-Horse-42-long' }),
      'ChangePasswordSuccess',
    );
    expect(await client.me(account.token)).toBeNull();
    expect(await client.me(other.token)).toBeNull();
    expect((await client.me(changed.token))?.id).toBe(account.user.id);
  });

  it('refuses a session ended by a statement outside the repositories (the triggers see every write)', async () => {
    const account = await signUp(server.graphqlUrl);
    expect((await client.me(account.token))?.id).toBe(account.user.id);
    await server.rekey.orm.em.fork().execute(`update "sessions" set "revoked_at" = now(), "revoked_reason" = 'admin' where "id" = ?`, [account.session.id]);
    expect(await client.me(account.token)).toBeNull();
  });

  it('shows a changed account row at once', async () => {
    const account = await signUp(server.graphqlUrl);
    expect((await client.me(account.token))?.email).toBe(account.email);
    const renamed = `renamed.${account.email}`;
    await server.rekey.orm.em.fork().execute(`update "users" set "email" = ? where "id" = ?`, [renamed, Number(account.user.id)]);
    expect((await client.me(account.token))?.email).toBe(renamed);
  });

  it('never answers from memory after a revocation has been answered, with me requests racing it', async () => {
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const account = await signUp(server.graphqlUrl);
      const other = await secondDevice(server.graphqlUrl, account.email);
      expect((await client.me(other.token))?.id).toBe(account.user.id);
      let revoked = false;
      const lateAnswers: (string | null)[] = [];
      const racing = Array.from({ length: 20 }, async () => {
        while (!revoked) await client.me(other.token);
        lateAnswers.push((await client.me(other.token))?.id ?? null);
      });
      await sleep(5);
      expectType(await client.revoke(account.token, other.session.id), 'SignOutSuccess');
      revoked = true;
      await Promise.all(racing);
      expect(lateAnswers).toEqual(Array.from({ length: 20 }, () => null));
    }
  });
});

describeEmbedded('the embedded session cache and time', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SESSION_IDLE_TIMEOUT: '2s' });
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  it('refuses a cached session once it has been idle too long, with no write to tell it', async () => {
    const client = sessionClient(server.graphqlUrl);
    const account = await signUp(server.graphqlUrl);
    expect((await client.me(account.token))?.id).toBe(account.user.id);
    // Idleness counts from the last refresh; `me` does not renew it. Time passing is the behaviour here.
    await sleep(2_100);
    expect(await client.me(account.token)).toBeNull();
  });
});

describePostgres('PostgreSQL mode', () => {
  let first: TestServer;
  let second: TestServer;
  beforeAll(async () => {
    first = await startTestServer();
    second = await startTestServer({}, { database: { databaseUrl: first.config.databaseUrl, pgliteDir: 'memory://' } });
  }, 180_000);
  afterAll(async () => {
    await second?.close();
    await first?.close();
  }, 60_000);

  it('caches nothing', () => {
    expect(SessionCache.of(first.rekey.orm.em)).toBeNull();
    expect(SessionCache.of(second.rekey.orm.em)).toBeNull();
  });

  it('refuses on one instance, at once, a session revoked on the other after both had answered with it', async () => {
    const onFirst = sessionClient(first.graphqlUrl);
    const onSecond = sessionClient(second.graphqlUrl);
    const account = await signUp(first.graphqlUrl);
    const other = await secondDevice(first.graphqlUrl, account.email);
    for (let round = 0; round < 3; round += 1) {
      expect((await onFirst.me(other.token))?.id).toBe(account.user.id);
      expect((await onSecond.me(other.token))?.id).toBe(account.user.id);
    }
    expectType(await onFirst.revoke(account.token, other.session.id), 'SignOutSuccess');
    expect(await onSecond.me(other.token)).toBeNull();
    expect(await onFirst.me(other.token)).toBeNull();
  });
});
