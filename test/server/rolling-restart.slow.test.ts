import { createServer, type Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { PASSWORD, signUp, uniqueEmail } from '../support/accounts.ts';
import { startChildServer, type ChildServer } from '../support/child-server.ts';
import { createTestDatabase } from '../support/database.ts';
import { graphqlBody, keepAliveAgent, send, SIGN_IN, type Outcome } from '../support/http-client.ts';

interface Backend {
  name: string;
  url: string;
  ready: boolean;
  agent: Agent;
}

/**
 * A small round-robin HTTP load balancer, as a deployment would have: it
 * polls each instance's /ready, skips one that is not ready or refuses the
 * connection (nothing was sent, so trying the next one is safe), and keeps
 * connections to instances alive. It never retries a request that was sent.
 */
class RoundRobinProxy {
  readonly answeredBy: string[] = [];
  readonly #backends: Backend[];
  readonly #server: Server;
  #next = 0;
  #polling = true;
  #poller: Promise<void>;

  constructor(backends: { name: string; url: string }[]) {
    this.#backends = backends.map((backend) => ({ ...backend, ready: true, agent: keepAliveAgent(16) }));
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        void this.#forward(req.method ?? 'GET', req.url ?? '/', Buffer.concat(chunks).toString('utf8')).then(({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(body);
        });
      });
    });
    this.#poller = this.#poll();
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async #poll(): Promise<void> {
    while (this.#polling) {
      await Promise.all(
        this.#backends.map(async (backend) => {
          const outcome = await send(`${backend.url}/ready`);
          backend.ready = outcome.kind === 'answered' && outcome.status === 200;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async #forward(method: string, path: string, body: string): Promise<{ status: number; body: string }> {
    for (let attempt = 0; attempt < this.#backends.length * 2; attempt += 1) {
      const backend = this.#backends[this.#next++ % this.#backends.length]!;
      if (!backend.ready) continue;
      const outcome: Outcome = await send(`${backend.url}${path}`, { method, body, agent: backend.agent });
      // A refused connection, or a kept-alive one the instance closed as the request left (it never read it):
      // sent nowhere, so another instance takes it, as a load balancer retries a connection failure.
      if (outcome.kind === 'refused' || (outcome.kind === 'failed' && outcome.staleKeepAlive)) {
        backend.ready = false;
        continue;
      }
      if (outcome.kind === 'failed') return { status: 502, body: JSON.stringify({ proxy: `${backend.name}: ${outcome.error}` }) };
      this.answeredBy.push(backend.name);
      return { status: outcome.status, body: outcome.body };
    }
    return { status: 503, body: JSON.stringify({ proxy: 'no instance ready' }) };
  }

  async close(): Promise<void> {
    this.#polling = false;
    await this.#poller;
    for (const backend of this.#backends) backend.agent.destroy();
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

describe('rolling restart', () => {
  it('loses no request when one of two instances behind a load balancer gets SIGTERM under load', async () => {
    // One PostgreSQL database shared by both instances when there is one; otherwise each has its own DATA_DIR.
    const database = await createTestDatabase();
    const env = { BCRYPT_COST: '6', ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}) };
    let instances: ChildServer[] = [];
    let proxy: RoundRobinProxy | undefined;
    try {
      const started = await Promise.allSettled([startChildServer(env), startChildServer(env)]);
      instances = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      for (const result of started) if (result.status === 'rejected') throw result.reason;
      const [first, second] = instances as [ChildServer, ChildServer];
      const email = uniqueEmail('rolling');
      await signUp(`${first.url}/graphql`, email);
      if (!database.databaseUrl) await signUp(`${second.url}/graphql`, email);

      proxy = new RoundRobinProxy([
        { name: 'first', url: first.url },
        { name: 'second', url: second.url },
      ]);
      const url = await proxy.listen();
      const body = graphqlBody(SIGN_IN, { input: { email, password: PASSWORD } });
      const outcomes: Outcome[] = [];
      let firstExited = false;
      let answeredAfterExit = 0;
      const clients = Array.from({ length: 8 }, async () => {
        const agent = keepAliveAgent();
        // Until 40 more answers came after the first instance stopped (bounded in count).
        for (let i = 0; i < 5_000 && answeredAfterExit < 40; i += 1) {
          const outcome = await send(`${url}/graphql`, { method: 'POST', body, agent });
          outcomes.push(outcome);
          if (firstExited) answeredAfterExit += 1;
        }
        agent.destroy();
      });

      const deadline = Date.now() + 60_000;
      // Warm enough that the proxy's kept-alive pools have stopped growing. A connection the proxy
      // opens at the very moment of SIGTERM can still be in the listener's backlog, which closing the
      // listener resets (README, "Stopping"); early in a run, while the pools grow, that happened once in CI.
      while (!(proxy.answeredBy.includes('first') && proxy.answeredBy.includes('second') && outcomes.length >= 200) && Date.now() < deadline) {
        await nextTurn();
      }
      first.child.kill('SIGTERM');
      const code = await first.exited;
      firstExited = true;
      await Promise.all(clients);

      expect(code).toBe(0);
      const failures = outcomes.filter((outcome) => outcome.kind !== 'answered' || outcome.status !== 200 || !outcome.body.includes('AuthPayload'));
      expect(failures).toEqual([]);
      expect(outcomes.length).toBeGreaterThan(60);
      // Both served before the restart; afterwards only the survivor.
      expect(proxy.answeredBy.slice(-40).every((name) => name === 'second')).toBe(true);
      expect(proxy.answeredBy.filter((name) => name === 'first').length).toBeGreaterThan(0);
    } finally {
      await proxy?.close();
      for (const instance of instances) instance.child.kill('SIGTERM');
      await Promise.all(instances.map((instance) => instance.exited));
      await database.drop();
    }
  }, 240_000);
});
