import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from './support/server.ts';

const redisUrl = process.env.REDIS_URL;
const describeWithRedis = redisUrl ? describe : describe.skip;

/** A TCP relay to Redis that the test cuts and restores. */
class RedisRelay {
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  port = 0;

  async open(target: URL): Promise<void> {
    this.#server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on('close', () => this.#sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    this.#server.listen(this.port, '127.0.0.1');
    await once(this.#server, 'listening');
    this.port = (this.#server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

const ready = async (server: TestServer) => {
  const response = await fetch(`${server.url}/ready`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describeWithRedis('/ready with Redis', () => {
  const relay = new RedisRelay();
  let server: TestServer;
  beforeAll(async () => {
    await relay.open(new URL(redisUrl!));
    const viaRelay = new URL(redisUrl!);
    viaRelay.hostname = '127.0.0.1';
    viaRelay.port = String(relay.port);
    server = await startTestServer({ REDIS_URL: viaRelay.toString(), REDIS_KEY_PREFIX: `rekey-test:${randomUUID()}:` });
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await relay.cut();
  });

  it('is 200 while Redis answers PING, 503 naming Redis while it does not, and 200 again once it is back', async () => {
    expect(await ready(server)).toEqual({ status: 200, body: { status: 'ready' } });

    await relay.cut();
    expect(await ready(server)).toEqual({ status: 503, body: { status: 'unavailable', draining: false, database: 'up', redis: 'down' } });
    // Liveness is not readiness: the process is still up.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    await relay.open(new URL(redisUrl!));
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
