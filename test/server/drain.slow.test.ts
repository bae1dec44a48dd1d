import { request } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { PASSWORD, signUp } from '../support/accounts.ts';
import { startChildServer } from '../support/child-server.ts';
import { createTestDatabase } from '../support/database.ts';
import { graphqlBody, keepAliveAgent, send, SIGN_IN, type Outcome } from '../support/http-client.ts';
import { startTestServer } from '../support/server.ts';

async function until(condition: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await nextTurn();
  }
}

describe('the drain', () => {
  it('turns /ready 503, refuses new connections, answers kept-alive and in-flight requests with Connection: close, then closes', async () => {
    const server = await startTestServer();
    try {
      const account = await signUp(server.graphqlUrl);
      // A kept-alive connection, idle when the drain starts.
      const keptAlive = keepAliveAgent();
      expect(await send(`${server.url}/health`, { agent: keptAlive })).toMatchObject({ kind: 'answered', status: 200, connectionClose: false });

      // A request still arriving when the drain starts: its body is only half sent.
      const body = graphqlBody(SIGN_IN, { input: { email: account.email, password: PASSWORD } });
      const slow = request(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } });
      const slowAnswer = new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
        slow.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
        });
        slow.on('error', reject);
      });
      slow.write(body.slice(0, 20));
      await until(() => server.rekey.app.inFlight() === 1, 'the slow request to arrive');

      const closing = server.rekey.close();
      let closed = false;
      void closing.then(() => (closed = true));

      const ready = await send(`${server.url}/ready`, { agent: keptAlive });
      expect(ready).toMatchObject({ kind: 'answered', status: 503, connectionClose: true });
      expect(ready.kind === 'answered' && JSON.parse(ready.body)).toMatchObject({ status: 'unavailable', draining: true, database: 'up' });
      expect(await send(`${server.url}/health`)).toMatchObject({ kind: 'refused' });
      expect(closed).toBe(false);

      slow.end(body.slice(20));
      const answer = await slowAnswer;
      expect(answer).toMatchObject({ status: 200, connection: 'close' });
      expect(JSON.parse(answer.text)).toEqual({ data: { signIn: { __typename: 'AuthPayload' } } });
      await closing;
      keptAlive.destroy();
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('SIGTERM under load', () => {
  it('answers every request the server accepted, logs JSON lines, and exits 0', async () => {
    const database = await createTestDatabase();
    const server = await startChildServer({
      BCRYPT_COST: '6',
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    });
    try {
      const account = await signUp(`${server.url}/graphql`);
      const body = graphqlBody(SIGN_IN, { input: { email: account.email, password: PASSWORD } });
      const seen: { outcome: Outcome; afterSignal: boolean }[] = [];
      let signalled = false;
      const clients = Array.from({ length: 8 }, async () => {
        const agent = keepAliveAgent();
        // Until the server stops taking connections (bounded, in case it never does).
        for (let i = 0; i < 2_000; i += 1) {
          const outcome = await send(`${server.url}/graphql`, { method: 'POST', body, agent });
          seen.push({ outcome, afterSignal: signalled });
          if (outcome.kind !== 'answered') break;
        }
        agent.destroy();
      });
      await until(() => seen.length >= 24, 'load to build up');
      const exited = server.exited;
      signalled = true;
      server.child.kill('SIGTERM');
      await Promise.all(clients);

      expect(seen.filter(({ outcome }) => outcome.kind === 'failed')).toEqual([]);
      const answered = seen.flatMap(({ outcome, afterSignal }) => (outcome.kind === 'answered' ? [{ ...outcome, afterSignal }] : []));
      for (const outcome of answered) expect([outcome.status, outcome.body]).toEqual([200, '{"data":{"signIn":{"__typename":"AuthPayload"}}}']);
      // Requests in flight at the signal were answered, and told that the connection closes.
      expect(answered.filter((outcome) => outcome.afterSignal && outcome.connectionClose).length).toBeGreaterThan(0);
      expect(await exited).toBe(0);

      const lines = server.output().trim().split('\n');
      const entries = lines.map((line) => JSON.parse(line) as { msg: string; requestId?: string });
      expect(entries.some((entry) => /SIGTERM received/.test(entry.msg))).toBe(true);
      expect(entries.at(-1)?.msg).toBe('Stopped.');
      expect(entries.filter((entry) => entry.msg === 'request').every((entry) => typeof entry.requestId === 'string')).toBe(true);
      expect(server.output()).not.toContain(PASSWORD);
    } finally {
      server.kill();
      await database.drop();
    }
  }, 240_000);
});
