import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Relay } from '../support/relay.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const redisUrl = process.env.REDIS_URL;
const describeWithRedis = redisUrl ? describe : describe.skip;

const ready = async (server: TestServer) => {
  const response = await fetch(`${server.url}/ready`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describeWithRedis('/ready with Redis', () => {
  let relay: Relay;
  let server: TestServer;
  beforeAll(async () => {
    relay = new Relay(new URL(redisUrl!), 6379);
    await relay.open();
    server = await startTestServer({ REDIS_URL: relay.url(new URL(redisUrl!)), REDIS_KEY_PREFIX: `rekey-test:${randomUUID()}:` });
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await relay.cut(0);
  });

  it('is 200 while Redis answers PING, 503 naming Redis while it does not, and 200 again once it is back', async () => {
    expect(await ready(server)).toEqual({ status: 200, body: { status: 'ready' } });

    await relay.cut(0);
    expect(await ready(server)).toEqual({ status: 503, body: { status: 'unavailable', draining: false, database: 'up', redis: 'down' } });
    // Liveness is not readiness: the process is still up.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    await relay.open();
    // ioredis reconnects on its own schedule (at most 2 s apart here); poll readiness as a load balancer would.
    let after = await ready(server);
    for (let tries = 0; tries < 60 && after.status !== 200; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await ready(server);
    }
    expect(after).toEqual({ status: 200, body: { status: 'ready' } });
  });
});

describe('/ready while draining', () => {
  it('turns 503 for good once the drain starts, though the database still answers', async () => {
    const server = await startTestServer();
    try {
      expect(await ready(server)).toEqual({ status: 200, body: { status: 'ready' } });
      server.rekey.readiness.startDraining();
      const response = await server.rekey.app.fetch('http://rekey.test/ready');
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'unavailable', draining: true, database: 'up' });
    } finally {
      await server.close();
    }
  }, 120_000);
});
