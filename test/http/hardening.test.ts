import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, TEST_SECRET, type TestServer } from '../support/server.ts';

// Production settings: masked errors, no introspection, no suggestions, CORS allow-list.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ NODE_ENV: 'production', JWT_SECRET: TEST_SECRET, CORS_ORIGINS: 'https://app.example' });
});
afterAll(() => server.close());

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
const query = (text: string) => post(JSON.stringify({ query: text }));

/** After every hostile request: still answering, and nothing leaked. */
async function expectRefusedCleanly(response: Response, status: number | [number, number]) {
  const [low, high] = Array.isArray(status) ? status : [status, status];
  expect(response.status).toBeGreaterThanOrEqual(low);
  expect(response.status).toBeLessThanOrEqual(high);
  const text = await response.text();
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+|stack|node_modules/);
  const healthy = await query('{ __typename }');
  expect(await healthy.json()).toEqual({ data: { __typename: 'Query' } });
}

describe('hostile requests are refused with 4xx and the server keeps answering', () => {
  it('a 5 MB body → 413', async () => {
    await expectRefusedCleanly(await post(JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(5_000_000) })), 413);
  });

  it('a 5 MB body streamed without Content-Length → 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 5_000_000) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    // The server answers 413 and closes while the client is still sending; the
    // client may see the status or only the closed connection.
    const outcome = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit).then(
      (response) => response.status,
      () => 'connection closed',
    );
    expect([413, 'connection closed']).toContain(outcome);
    expect(sent).toBeLessThan(5_000_000);
    expect(await (await query('{ __typename }')).json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('a 200-deep query → 400', async () => {
    await expectRefusedCleanly(await query(`{ ${'me { '.repeat(200)}id${' }'.repeat(200)} }`), 400);
  });

  it('1,000 aliases → 400', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(' ');
    const response = await query(`{ ${aliases} }`);
    await expectRefusedCleanly(response, 400);
  });

  it('a mutation over GET → 405', async () => {
    const url = `${server.graphqlUrl}?query=${encodeURIComponent('mutation { signIn(input: { email: "a@example.com", password: "x" }) { __typename } }')}`;
    await expectRefusedCleanly(await fetch(url, { headers: { 'x-graphql-yoga-csrf': '1' } }), 405);
  });

  it('a cross-site form POST → 4xx (no CSRF)', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ query: 'mutation { signUp(input: { email: "csrf@example.com", password: "Csrf-Pass-123" }) { __typename } }' }),
    });
    await expectRefusedCleanly(response, [400, 415]);
  });

  it('a simple GET query without a CSRF header → 403', async () => {
    await expectRefusedCleanly(await fetch(`${server.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`), 403);
  });

  it('malformed JSON → 400', async () => {
    await expectRefusedCleanly(await post('{"query": '), 400);
  });
});

describe('production hardening', () => {
  it('refuses introspection', async () => {
    const response = await query('{ __schema { types { name } } }');
    expect(response.status).toBe(400);
  });

  it('gives no field suggestions', async () => {
    const response = await query('{ passwordPolicie { name } }');
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(text).not.toMatch(/Did you mean/);
  });

  it('serves no GraphiQL', async () => {
    const response = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(await response.text()).not.toMatch(/graphiql/i);
  });

  it('allows only configured CORS origins', async () => {
    const preflight = (origin: string) =>
      fetch(server.graphqlUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
