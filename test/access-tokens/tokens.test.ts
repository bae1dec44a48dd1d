import { spawnSync } from 'node:child_process';
import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { SignOutDocument } from '../generated/graphql.ts';
import { signUp } from '../support/accounts.ts';
import { run } from '../support/graphql.ts';
import { TEST_SECRET, startTestServer, type TestServer } from '../support/server.ts';
import { createLogger } from '../../src/observability/logging.ts';

const logLines: string[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({}, { log: createLogger('trace', (_level, line) => logLines.push(line)) });
}, 180_000);
afterAll(() => server?.close(), 60_000);

interface Answer {
  status: number;
  challenge: string | null;
  body: { data?: { me: { id: string } | null } | null; extensions?: Record<string, unknown>; errors?: unknown[] };
}

/** `me` over HTTP with the raw answer: status, WWW-Authenticate and the whole body. */
async function me(token?: string): Promise<Answer> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify({ query: '{ me { id } }' }),
  });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as Answer['body'] };
}

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const headerOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
const now = () => Math.floor(Date.now() / 1000);

async function jwks(): Promise<{ response: Response; keys: Record<string, string>[] }> {
  const response = await fetch(`${server.url}/.well-known/jwks.json`);
  return { response, keys: ((await response.json()) as { keys: Record<string, string>[] }).keys };
}

function expectRefused(answer: Answer) {
  expect(answer.status).toBe(200);
  expect(answer.body.data?.me).toBeNull();
  expect(answer.challenge).toBe('Bearer error="invalid_token"');
  expect(answer.body.extensions?.authentication).toBe('INVALID_TOKEN');
}

describe('ES256 access tokens and the JWKS', () => {
  it('publishes the public key, cacheable, with nothing private in it', async () => {
    const { response, keys } = await jwks();
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), alg: 'ES256', use: 'sig', kid: expect.any(String) });
    // The published JWK is a usable public key, and nothing more.
    expect(createPublicKey({ key: keys[0] as never, format: 'jwk' }).asymmetricKeyType).toBe('ec');
    expect(keys[0]).not.toHaveProperty('d');
  });

  it('signs every token with ES256 and the kid of a published key', async () => {
    const account = await signUp(server.graphqlUrl);
    const { keys } = await jwks();
    const header = headerOf(account.token);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(keys.map((key) => key.kid)).toContain(header.kid);
    // Verifiable with the published key alone (what another service does).
    const publicKey = createPublicKey({ key: keys[0] as never, format: 'jwk' });
    expect(jwt.verify(account.token, publicKey, { algorithms: ['ES256'], issuer: 'rekey', audience: 'rekey' })).toMatchObject({
      sub: account.user.id,
    });
    const answer = await me(account.token);
    expect(answer.body.data?.me?.id).toBe(account.user.id);
    expect(answer.challenge).toBeNull();
    expect(answer.body.extensions).toBeUndefined();
  });

  it('answers only GET and HEAD on the JWKS', async () => {
    const response = await fetch(`${server.url}/.well-known/jwks.json`, { method: 'POST' });
    expect(response.status).toBe(405);
  });
});

describe('tokens refused, each with the authentication signal', () => {
  let account: Awaited<ReturnType<typeof signUp>>;
  let claims: Record<string, unknown>;
  let kid: string;
  let publicKey: KeyObject;
  beforeAll(async () => {
    account = await signUp(server.graphqlUrl);
    claims = payloadOf(account.token);
    kid = headerOf(account.token).kid as string;
    publicKey = createPublicKey({ key: (await jwks()).keys[0] as never, format: 'jwk' });
  });

  it('a token signed by a key that is not published (a forgery with our kid)', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectRefused(await me(jwt.sign(claims, privateKey, { algorithm: 'ES256', keyid: kid })));
  });

  it('a token with an unknown kid, or none', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectRefused(await me(jwt.sign(claims, privateKey, { algorithm: 'ES256', keyid: 'not-a-key-of-ours' })));
    expectRefused(await me(jwt.sign(claims, privateKey, { algorithm: 'ES256' })));
  });

  it('alg none', async () => {
    expectRefused(await me(`${part({ alg: 'none', typ: 'JWT', kid })}.${part(claims)}.`));
  });

  it('HS256 with the public key as the secret (algorithm confusion)', async () => {
    const pem = publicKey.export({ format: 'pem', type: 'spki' });
    const body = `${part({ alg: 'HS256', typ: 'JWT', kid })}.${part(claims)}`;
    expectRefused(await me(`${body}.${createHmac('sha256', pem).update(body).digest('base64url')}`));
  });

  it('an HS256 token presented to an ES256 deployment (no JWT_SECRET)', async () => {
    expectRefused(await me(jwt.sign(claims, TEST_SECRET, { algorithm: 'HS256' })));
  });

  it('an expired token of ours', async () => {
    const { privateKey } = server.rekey.keyRing!.active();
    const expired = jwt.sign({ ...claims, iat: now() - 3600, exp: now() - 60 }, privateKey, { algorithm: 'ES256', keyid: kid });
    expectRefused(await me(expired));
  });

  it('a revoked one: validly signed, but its session has ended', async () => {
    const other = await signUp(server.graphqlUrl);
    await run(server.graphqlUrl, SignOutDocument, { input: {} }, { token: other.token });
    expectRefused(await me(other.token));
  });

  it('garbage, but not a missing token: no token is not a refused one', async () => {
    expectRefused(await me('not-a-token'));
    const anonymous = await me();
    expect(anonymous.body.data?.me).toBeNull();
    expect(anonymous.challenge).toBeNull();
    expect(anonymous.body.extensions).toBeUndefined();
  });

  it('still answers mutations with their union member (the round-2 data is unchanged)', async () => {
    const other = await signUp(server.graphqlUrl);
    await run(server.graphqlUrl, SignOutDocument, { input: {} }, { token: other.token });
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${other.token}` },
      body: JSON.stringify({ query: 'mutation { signOut { __typename ... on Error { code } } }' }),
    });
    expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const body = (await response.json()) as { data: { signOut: { __typename: string; code: string } }; extensions?: Record<string, unknown> };
    expect(body.data.signOut).toEqual({ __typename: 'InvalidSessionError', code: 'INVALID_SESSION' });
    expect(body.extensions).toEqual({ authentication: 'INVALID_TOKEN' });
  });
});

describe('private key material', () => {
  it('is in no answer and no log line, even at trace level', async () => {
    const { privateKey } = server.rekey.keyRing!.active();
    const secrets = [
      String(privateKey.export({ format: 'jwk' }).d),
      privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url').slice(-40),
    ];
    const answers = JSON.stringify((await jwks()).keys) + JSON.stringify((await signUp(server.graphqlUrl)).token);
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      expect(answers).not.toContain(secret);
      for (const line of logLines) expect(line).not.toContain(secret);
    }
  });

  it('is stored only sealed: no column of signing_keys holds it in the clear', async () => {
    const { privateKey } = server.rekey.keyRing!.active();
    const d = String(privateKey.export({ format: 'jwk' }).d);
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const rows: Record<string, unknown>[] = await server.rekey.orm.em.getConnection().execute('select * from signing_keys');
    expect(rows).toHaveLength(1);
    const dump = JSON.stringify(rows);
    for (const encoding of ['base64', 'base64url', 'hex'] as const) expect(dump).not.toContain(der.toString(encoding).slice(-48));
    expect(dump).not.toContain(d);
    expect(String(rows[0]?.sealed_private_key)).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  (process.env.DATABASE_URL ? it : it.skip)('is nowhere in a pg_dump of the database (PostgreSQL)', () => {
    const { privateKey } = server.rekey.keyRing!.active();
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const dump = spawnSync('pg_dump', ['--data-only', server.config.databaseUrl!], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(dump.status).toBe(0);
    // The dump does hold the table and the key's public half: the check below would see a private one.
    expect(dump.stdout).toContain('signing_keys');
    expect(dump.stdout).toContain(String(privateKey.export({ format: 'jwk' }).x));
    expect(dump.stdout).not.toContain(String(privateKey.export({ format: 'jwk' }).d));
    for (const encoding of ['base64', 'base64url', 'hex'] as const) expect(dump.stdout).not.toContain(der.toString(encoding).slice(-48));
  });
});
