import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ NODE_ENV: 'development' });
});
afterAll(() => server.close());

describe('health and readiness', () => {
  it('answers /health while the process is up', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('answers /ready when the database answers', async () => {
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });
});

describe('GraphiQL', () => {
  it('is served at /graphql to a browser, with the example document', async () => {
    const response = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Rekey');
    expect(html).toContain('mutation ChangePassword');
  });
});
