import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { MeDocument, SignInDocument, SignUpDocument } from '../generated/graphql.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// TRUST_PROXY=1 lets each caller speak from an address of its own (X-Forwarded-For),
// so per-address limits count one test's attempts only.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ TRUST_PROXY: '1' });
});
afterAll(() => server.close());

const PASSWORD = 'Compiler-A0-1952';
const NEW_PASSWORD = 'Analytical-Engine-1843';
const ROUTE = '/api/v1/change-password';

let callers = 0;

interface Caller {
  email: string;
  userId: string;
  jwt: string;
  address: string;
}

/** A fresh account, signed up over GraphQL from an address of its own. */
async function newCaller(on = server): Promise<Caller> {
  callers += 1;
  const email = `rest-${callers}@example.com`;
  const address = `10.0.${Math.floor(callers / 256)}.${callers % 256}`;
  const { signUp } = await run(on.graphqlUrl, SignUpDocument, { input: { email, password: PASSWORD } }, { headers: { 'x-forwarded-for': address } });
  const payload = expectType(signUp, 'AuthPayload');
  return { email, userId: payload.user.id, jwt: payload.token, address };
}

interface RestResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

interface PostOptions {
  path?: string;
  address?: string;
  headers?: Record<string, string>;
  on?: TestServer;
}

/** What the original workflow's front end sends: `fetch(url, { method: 'POST', headers: JSON, body })`. */
async function post(body: unknown, { path = ROUTE, address = '198.51.100.1', headers = {}, on = server }: PostOptions = {}): Promise<RestResponse> {
  const response = await fetch(`${on.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const changePassword = (caller: Caller, input: { currentPassword: string; newPassword: string }, options: PostOptions = {}) =>
  post({ jwt: caller.jwt, ...input }, { address: caller.address, ...options });

const signIn = async (caller: Caller, password: string, on = server) => {
  const { signIn: result } = await run(on.graphqlUrl, SignInDocument, { input: { email: caller.email, password } }, { headers: { 'x-forwarded-for': caller.address } });
  return result;
};

describe('the original workflow’s documented cases', () => {
  it('changes the password: 200 with success and the message', async () => {
    const caller = await newCaller();
    const response = await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: true, message: 'Password changed successfully.' });
  });

  it('refuses a wrong current password with 400', async () => {
    const caller = await newCaller();
    const response = await changePassword(caller, { currentPassword: 'Not-The-Password-1', newPassword: NEW_PASSWORD });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ success: false, error: 'Current password is incorrect.' });
    expect(expectType(await signIn(caller, PASSWORD), 'AuthPayload').user.email).toBe(caller.email);
  });

  it('refuses the current password as the new one with 400', async () => {
    const caller = await newCaller();
    const response = await changePassword(caller, { currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ success: false, error: 'New password must be different from current password.' });
  });

  it('refuses "weak" with the policy’s first message', async () => {
    const caller = await newCaller();
    const response = await changePassword(caller, { currentPassword: PASSWORD, newPassword: 'weak' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ success: false, error: 'Password must be at least 8 characters' });
  });

  it('refuses an invalid JWT with 401', async () => {
    const response = await post({ jwt: 'invalid.jwt.token', currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ success: false, error: 'Invalid or expired session.' });
  });

  it('answers a body with only jwt with 400 and an error naming each missing field', async () => {
    const caller = await newCaller();
    const response = await post({ jwt: caller.jwt }, { address: caller.address });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      valid: false,
      errors: [
        { field: 'currentPassword', message: expect.any(String) },
        { field: 'newPassword', message: expect.any(String) },
      ],
    });
  });
});

describe('request validation', () => {
  it('names each field that breaks the schema', async () => {
    const response = await post({ jwt: 'short', currentPassword: '', newPassword: 'x'.repeat(1025) });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      valid: false,
      errors: [
        { field: 'jwt', message: 'jwt must be at least 10 characters' },
        { field: 'currentPassword', message: 'currentPassword is required' },
        { field: 'newPassword', message: 'newPassword must be at most 1024 characters' },
      ],
    });
  });

  it('refuses a JSON body that is not an object', async () => {
    const response = await post([1, 2, 3]);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ valid: false, errors: [{ field: 'body', message: 'The body must be a JSON object' }] });
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await post('{"jwt": "abc", ');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ success: false, error: 'The request body is not valid JSON.' });
  });

  it('refuses a body that is not JSON with 415', async () => {
    const caller = await newCaller();
    const body = JSON.stringify({ jwt: caller.jwt, currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    const response = await post(body, { address: caller.address, headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(415);
    expect(response.body).toEqual({ success: false, error: 'Content-Type must be application/json.' });
    expect(expectType(await signIn(caller, PASSWORD), 'AuthPayload').user.email).toBe(caller.email);
  });

  it('refuses a body over the size bound with 413, as /graphql does', async () => {
    const response = await post({ jwt: 'x'.repeat(server.config.maxBodyBytes), currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(response.status).toBe(413);
  });

  it('accepts application/json with a charset', async () => {
    const caller = await newCaller();
    const response = await post(
      { jwt: caller.jwt, currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      { address: caller.address, headers: { 'content-type': 'application/json; charset=utf-8' } },
    );
    expect(response.status).toBe(200);
  });
});

describe('paths and methods', () => {
  it.each([['/api/v1/change-password'], ['/api/v1/some-id/change-password']])('serves POST %s', async (path) => {
    const caller = await newCaller();
    const response = await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { path });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: true, message: 'Password changed successfully.' });
    expectType(await signIn(caller, NEW_PASSWORD), 'AuthPayload');
  });

  it('does not serve a path with more than one segment in between', async () => {
    const caller = await newCaller();
    const response = await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { path: '/api/v1/a/b/change-password' });
    expect(response.status).toBe(404);
    expectType(await signIn(caller, PASSWORD), 'AuthPayload');
  });

  it.each([['GET'], ['PUT'], ['DELETE']])('answers %s with 405 and Allow: POST', async (method) => {
    const response = await fetch(`${server.url}/api/v1/some-id/change-password`, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({ success: false, error: 'Method not allowed. Use POST.' });
  });

  it('answers a CORS preflight and marks the POST that follows', async () => {
    const origin = 'https://app.example.com';
    const preflight = await fetch(`${server.url}/api/v1/some-id/change-password`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');

    const response = await post({ jwt: 'invalid.jwt.token', currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { headers: { origin } });
    expect(response.status).toBe(401);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
  });
});

describe('sessions', () => {
  it('refuses the old token afterwards, and the new password signs in over GraphQL', async () => {
    const caller = await newCaller();
    expect((await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).status).toBe(200);

    const again = await changePassword(caller, { currentPassword: NEW_PASSWORD, newPassword: 'Difference-Engine-1822' });
    expect(again.status).toBe(401);
    expect(again.body).toEqual({ success: false, error: 'Invalid or expired session.' });
    expect((await run(server.graphqlUrl, MeDocument, {}, { token: caller.jwt })).me).toBeNull();

    expect(expectType(await signIn(caller, PASSWORD), 'InvalidCredentialsError').code).toBe('INVALID_CREDENTIALS');
    expect(expectType(await signIn(caller, NEW_PASSWORD), 'AuthPayload').user.email).toBe(caller.email);
  });

  it('answers a valid token of a deleted user with 400', async () => {
    const caller = await newCaller();
    await server.rekey.orm.em.fork().execute('delete from users where id = ?', [Number(caller.userId)]);
    const response = await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ success: false, error: 'Invalid or expired session.' });
  });
});

describe('rate limit (the default: 10 attempts a minute per account and per address)', () => {
  // Test servers raise the limits; this one has the default back.
  let limited: TestServer;
  beforeAll(async () => {
    // SESSION_FAILURE_LIMIT (10) would end the session at its 10th wrong guess, before the rate limit answers the 11th.
    limited = await startTestServer({ TRUST_PROXY: '1', CHANGE_PASSWORD_RATE_LIMIT: '10', SESSION_FAILURE_LIMIT: '100' });
  });
  afterAll(() => limited.close());

  it('refuses the 11th attempt with 429 and Retry-After, even with the right password', async () => {
    const caller = await newCaller(limited);
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const response = await changePassword(caller, { currentPassword: `Wrong-Guess-${attempt}`, newPassword: NEW_PASSWORD }, { on: limited });
      expect(response).toMatchObject({ status: 400, body: { success: false, error: 'Current password is incorrect.' } });
    }
    const refused = await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { on: limited });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ success: false, error: expect.stringMatching(/too many attempts/i) });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expectType(await signIn(caller, PASSWORD, limited), 'AuthPayload');
  });

  it('counts per account, whatever the address', async () => {
    const caller = await newCaller(limited);
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const response = await changePassword(
        caller,
        { currentPassword: `Wrong-Guess-${attempt}`, newPassword: NEW_PASSWORD },
        { on: limited, address: `192.0.2.${attempt}` },
      );
      expect(response.status).toBe(400);
    }
    const refused = await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { on: limited, address: '192.0.2.99' });
    expect(refused.status).toBe(429);
  });

  it('counts per address, whatever the account', async () => {
    const address = '192.0.2.200';
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      const caller = await newCaller(limited);
      const response = await changePassword(caller, { currentPassword: 'Wrong-Guess-1', newPassword: NEW_PASSWORD }, { on: limited, address });
      expect(response.status).toBe(400);
    }
    const caller = await newCaller(limited);
    const refused = await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { on: limited, address });
    expect(refused.status).toBe(429);
  });
});

describe('unexpected failures', () => {
  it('answers 500 with a generic body that reveals nothing', async () => {
    const caller = await newCaller();
    const hash = jest.spyOn(server.rekey.deps.hasher, 'hash').mockRejectedValueOnce(new Error(`internal detail ${caller.jwt}`));
    try {
      const response = await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ success: false, error: 'Something went wrong. Please try again later.' });
    } finally {
      hash.mockRestore();
    }
    const retried = await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(retried.status).toBe(200);
  });
});
