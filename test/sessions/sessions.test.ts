import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { MeDocument, SecurityEventsDocument, SignUpDocument } from '../generated/graphql.ts';
import { PASSWORD, signUp, uniqueEmail } from '../support/accounts.ts';
import { expectType, run } from '../support/graphql.ts';
import { TEST_SECRET, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let account: Awaited<ReturnType<typeof signUp>>;
beforeAll(async () => {
  // HS256, so the test can sign tokens of its own with the shared secret (ES256 keys: test/access-tokens/).
  server = await startTestServer({ JWT_ALGORITHM: 'HS256', JWT_SECRET: TEST_SECRET });
  account = await signUp(server.graphqlUrl);
}, 180_000);
afterAll(() => server?.close(), 60_000);

const me = async (token: string) => (await run(server.graphqlUrl, MeDocument, {}, { token })).me;
const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({ sub: account.user.id, sid: account.session.id, gen: 0, iss: 'rekey', aud: 'rekey', iat: now(), exp: now() + 600 });

describe('session tokens', () => {
  it('accepts a well-formed token for an active session at its generation', async () => {
    expect((await me(jwt.sign(claims(), TEST_SECRET, { algorithm: 'HS256' })))?.id).toBe(account.user.id);
  });

  it('refuses a token without exp (jsonwebtoken alone would accept it)', async () => {
    const { exp: _exp, ...withoutExp } = claims();
    expect(await me(jwt.sign(withoutExp, TEST_SECRET, { algorithm: 'HS256' }))).toBeNull();
  });

  it('refuses an expired token', async () => {
    expect(await me(jwt.sign({ ...claims(), iat: now() - 7200, exp: now() - 3600 }, TEST_SECRET, { algorithm: 'HS256' }))).toBeNull();
  });

  it('refuses another audience or issuer', async () => {
    expect(await me(jwt.sign({ ...claims(), aud: 'someone-else' }, TEST_SECRET, { algorithm: 'HS256' }))).toBeNull();
    expect(await me(jwt.sign({ ...claims(), iss: 'someone-else' }, TEST_SECRET, { algorithm: 'HS256' }))).toBeNull();
  });

  it('refuses alg none and other algorithms', async () => {
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`;
    expect(await me(unsigned)).toBeNull();
    expect(await me(jwt.sign(claims(), TEST_SECRET, { algorithm: 'HS512' }))).toBeNull();
  });

  it('refuses a token signed with another secret', async () => {
    expect(await me(jwt.sign(claims(), 'another-secret-that-is-also-32-bytes-long', { algorithm: 'HS256' }))).toBeNull();
  });

  it('refuses another generation, another account\'s session, and a non-numeric subject', async () => {
    expect(await me(jwt.sign({ ...claims(), gen: 1 }, TEST_SECRET, { algorithm: 'HS256' }))).toBeNull();
    const other = await signUp(server.graphqlUrl);
    expect(await me(jwt.sign({ ...claims(), sid: other.session.id }, TEST_SECRET, { algorithm: 'HS256' }))).toBeNull();
    expect(await me(jwt.sign({ ...claims(), sub: 'admin' }, TEST_SECRET, { algorithm: 'HS256' }))).toBeNull();
  });

  it('refuses a token that names no session: users sign in again after the upgrade', async () => {
    const { sid: _sid, gen: _gen, ...roundOne } = claims();
    expect(await me(jwt.sign({ ...roundOne, sv: 0 }, TEST_SECRET, { algorithm: 'HS256' }))).toBeNull();
  });

  it('answers null for a huge bearer value without failing the request', async () => {
    expect(await me('x'.repeat(5000))).toBeNull();
  });
});

describe('the device of a session and of a security event', () => {
  it('is named from a fixed list, never from the free text of its user agent', async () => {
    const userAgent = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0 URGENT visit https://evil.example';
    const { signUp: signedUp } = await run(
      server.graphqlUrl,
      SignUpDocument,
      { input: { email: uniqueEmail('device'), password: PASSWORD } },
      { headers: { 'user-agent': userAgent } },
    );
    const payload = expectType(signedUp, 'AuthPayload');
    expect(payload.session.device).toBe('Firefox on Windows');
    const { me: viewer } = await run(server.graphqlUrl, SecurityEventsDocument, { first: 5 }, { token: payload.token });
    expect(viewer?.securityEvents.edges.map((edge) => edge.node.device)).toEqual(['Firefox on Windows']);
    // The raw user agent stays available to its owner, for a close look at an unfamiliar device.
    expect(payload.session.userAgent).toBe(userAgent);
  });
});
