import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PASSWORD, changePassword, signIn, signUp } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { Relay } from '../support/relay.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const redisUrl = process.env.REDIS_URL;
// Runs against the machine's Redis when REDIS_URL is set (CI's second run); skipped otherwise.
const describeWithRedis = redisUrl ? describe : describe.skip;

/** An app whose Redis is reached through a relay the test controls, with keys of its own (one per describe). */
function behindRelay(env: Record<string, string> = {}): { readonly relay: Relay; readonly server: TestServer } {
  let relay: Relay;
  let server: TestServer;
  beforeAll(async () => {
    relay = new Relay(new URL(redisUrl!), 6379);
    await relay.open();
    server = await startTestServer({ REDIS_URL: relay.url(new URL(redisUrl!)), REDIS_KEY_PREFIX: `rekey-test:${randomUUID()}:`, ...env });
  });
  afterAll(async () => {
    await server.close();
    await relay.cut();
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

describeWithRedis('rate limits shared through Redis by several instances', () => {
  let database: TestDatabase;
  let servers: TestServer[];
  beforeAll(async () => {
    // Two instances, one database, one Redis, one key prefix: as behind a load balancer.
    database = await createTestDatabase();
    // SESSION_FAILURE_LIMIT above the rate limit: a session's 10th wrong guess would otherwise end it first.
    const env = { CHANGE_PASSWORD_RATE_LIMIT: '10', SESSION_FAILURE_LIMIT: '100', REDIS_KEY_PREFIX: `rekey-test:${randomUUID()}:` };
    const first = await startTestServer(env, { useRedis: true, database });
    // PGlite in memory cannot be shared between two ORMs; then the second instance gets a database of its own.
    const second = await startTestServer(env, { useRedis: true, database: database.databaseUrl ? database : undefined });
    servers = [first, second];
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await database.drop();
  });

  it('lets at most 10 of 30 concurrent attempts through in total across two instances', async () => {
    // The same account on both instances needs a shared database; otherwise one account each, same address.
    const accounts = await Promise.all(servers.map((server) => signUp(server.graphqlUrl)));
    const attempts = Array.from({ length: 30 }, (_, i) => {
      const server = servers[i % 2]!;
      const account = database.databaseUrl ? accounts[0]! : accounts[i % 2]!;
      return changePassword(server.graphqlUrl, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' });
    });
    const names = (await Promise.all(attempts)).map((result) => result.__typename);
    expect(names.filter((name) => name === 'IncorrectPasswordError')).toHaveLength(10);
    expect(names.filter((name) => name === 'RateLimitedError')).toHaveLength(20);
  });
});

describeWithRedis('when Redis goes away', () => {
  const app = behindRelay();

  it('fails closed for password checks with a clear error, and recovers by itself', async () => {
    const { relay, server } = app;
    const account = await signUp(server.graphqlUrl);
    await relay.cut();
    const during = await changePassword(server.graphqlUrl, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' });
    expect(during).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
    if (during.__typename === 'RateLimitedError') expect(during.message).toMatch(/cannot be counted right now/);

    await relay.open();
    // ioredis reconnects on its own schedule; poll the real operation until it is admitted again.
    let after = during;
    for (let tries = 0; tries < 50 && after.__typename === 'RateLimitedError'; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await changePassword(server.graphqlUrl, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' });
    }
    expect(after.__typename).toBe('ChangePasswordSuccess');
  });
});

describeWithRedis('when Redis stops answering but its connection stays open (a partition)', () => {
  // Well above the Redis command timeout (2 s): without one, a password check waited on the
  // silent connection until REQUEST_TIMEOUT's 503, and closing the server waited on it for good.
  const app = behindRelay({ REQUEST_TIMEOUT: '8s' });

  it('gives up on the silent connection, fails closed with the typed error, and recovers by itself', async () => {
    const { relay, server } = app;
    const account = await signUp(server.graphqlUrl);
    relay.stall();
    const input = { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' };
    // Two attempts: the first waits on the stalled connection, the second meets the reconnection
    // (a new connection the partition also leaves unanswered). Both are the limiter's refusal.
    for (const attempt of [1, 2]) {
      const during = await changePassword(server.graphqlUrl, account.token, input);
      expect({ attempt, during }).toMatchObject({ attempt, during: { __typename: 'RateLimitedError', code: 'RATE_LIMITED' } });
      if (during.__typename === 'RateLimitedError') expect(during.message).toMatch(/cannot be counted right now/);
    }

    // The partition heals: the held connections end and the relay forwards again.
    await relay.cut(0);
    await relay.open();
    let after = await changePassword(server.graphqlUrl, account.token, input);
    for (let tries = 0; tries < 80 && after.__typename === 'RateLimitedError'; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await changePassword(server.graphqlUrl, account.token, input);
    }
    expect(after.__typename).toBe('ChangePasswordSuccess');
  }, 40_000);
});

describeWithRedis('rate-limit keys in Redis', () => {
  const prefix = `rekey-test:${randomUUID()}:`;
  let server: TestServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startTestServer({ REDIS_KEY_PREFIX: prefix }, { useRedis: true });
    redis = new Redis(redisUrl!);
  });
  afterAll(async () => {
    await server.close();
    await redis.quit();
  });

  it('name no email and no client address: each subject is a keyed hash', async () => {
    const account = await signUp(server.graphqlUrl);
    expect((await signIn(server.graphqlUrl, account.email, 'Wrong-Pass-123')).__typename).toBe('InvalidCredentialsError');
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.some((key) => key.startsWith(`${prefix}signIn:email:`))).toBe(true);
    for (const key of keys) {
      expect(key).not.toContain(account.email);
      expect(key).not.toContain(account.email.split('@')[0]);
      expect(key).not.toContain('127.0.0.1');
    }
  });
});
