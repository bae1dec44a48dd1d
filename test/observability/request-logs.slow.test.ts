import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observability/logging.ts';
import { PASSWORD, changePassword, signIn, signUp } from '../support/accounts.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

interface LogLine {
  level: number;
  time: string;
  msg: string;
  requestId?: string;
  [field: string]: unknown;
}

let server: TestServer;
const lines: string[] = [];
const parsed = () => lines.map((line) => JSON.parse(line) as LogLine);

beforeAll(async () => {
  server = await startTestServer({ NODE_ENV: 'production' }, { log: createLogger('debug', (_level, line) => lines.push(line)) });
}, 120_000);
afterAll(() => server.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

describe('request ids', () => {
  it('echoes a sane X-Request-Id', async () => {
    const response = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'edge-7f3a.b_c-1' } });
    expect(response.headers.get('x-request-id')).toBe('edge-7f3a.b_c-1');
  });

  it('makes a new id when there is none or it is not sane, and a different one each time', async () => {
    const ids = [];
    for (const given of [undefined, 'has space', 'x'.repeat(129), 'semi;colon', '']) {
      const response = await fetch(`${server.url}/health`, { headers: given === undefined ? {} : { 'x-request-id': given } });
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      ids.push(id);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is returned on refusals too (bad JSON, oversized body)', async () => {
    const bad = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'bad-json-1' }, body: '{' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-request-id')).toBe('bad-json-1');
    const big = await post('/graphql', { query: 'x'.repeat(200_000) }, { 'x-request-id': 'big-1' });
    expect(big.status).toBe(413);
    expect(big.headers.get('x-request-id')).toBe('big-1');
  });
});

describe('production logs', () => {
  it('are JSON lines carrying the request id, and never a password, hash or token', async () => {
    lines.length = 0;
    const account = await signUp(server.graphqlUrl);
    const signedIn = expectType(await signIn(server.graphqlUrl, account.email, PASSWORD, { headers: { 'x-request-id': 'sign-in-1' } }), 'AuthPayload');
    await signIn(server.graphqlUrl, account.email, 'Wrong-Pass-123');
    await changePassword(server.graphqlUrl, signedIn.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' });
    await changePassword(server.graphqlUrl, signedIn.token, { currentPassword: PASSWORD, newPassword: 'weak' });
    const changed = expectType(
      await changePassword(server.graphqlUrl, signedIn.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }, { headers: { 'x-request-id': 'change-1' } }),
      'ChangePasswordSuccess',
    );
    const rest = await post('/api/v1/change-password', { jwt: changed.token, currentPassword: 'Brand-New-Pass-7', newPassword: 'Rest-New-Pass-8' });
    expect(rest.status).toBe(200);
    const rows = await server.rekey.orm.em.fork().execute<{ password: string }[]>('select password from users where email = ?', [account.email]);
    const hash = rows[0]?.password ?? '';
    expect(hash).toMatch(/^\$2b\$/);

    const entries = parsed();
    for (const entry of entries) {
      expect(typeof entry.level).toBe('number');
      expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
    }
    const requests = entries.filter((entry) => entry.msg === 'request' && entry.path === '/graphql');
    expect(requests.length).toBeGreaterThanOrEqual(6);
    for (const entry of requests) expect(entry.requestId).toEqual(expect.any(String));
    expect(entries.filter((entry) => entry.requestId === 'sign-in-1').map((entry) => entry.status)).toContain(200);
    expect(entries.some((entry) => entry.requestId === 'change-1' && entry.method === 'POST')).toBe(true);

    const all = lines.join('\n');
    for (const secret of [PASSWORD, 'Brand-New-Pass-7', 'Rest-New-Pass-8', 'Wrong-Pass-123', account.token, signedIn.token, changed.token, hash]) {
      expect(all).not.toContain(secret);
    }
    expect(all).not.toMatch(/\$2[aby]\$\d\d\$/);
    expect(all).not.toMatch(/eyJ[\w-]{5,}\.[\w-]{5,}\./);
  });

  it('tags what Yoga logs for an unexpected failure with the request id, without the hash it quoted', async () => {
    const account = await signUp(server.graphqlUrl);
    const db = server.rekey.orm.em.fork();
    await db.execute(`create function refuse_update() returns trigger language plpgsql as $$ begin raise exception 'storage is read-only'; end $$`);
    await db.execute(`create trigger refuse_update before update of "password" on "users" for each row execute function refuse_update()`);
    try {
      lines.length = 0;
      const response = await post(
        '/graphql',
        { query: 'mutation($input: ChangePasswordInput!) { changePassword(input: $input) { __typename } }', variables: { input: { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' } } },
        { authorization: `Bearer ${account.token}`, 'x-request-id': 'fails-1' },
      );
      expect(response.headers.get('x-request-id')).toBe('fails-1');
      const failure = parsed().find((entry) => JSON.stringify(entry).includes('storage is read-only'));
      expect(failure).toMatchObject({ requestId: 'fails-1', level: 50 });
      expect(lines.join('\n')).not.toMatch(/\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}|Brand-New-Pass-7/);
    } finally {
      await db.execute('drop trigger refuse_update on "users"');
      await db.execute('drop function refuse_update');
    }
  });
});
