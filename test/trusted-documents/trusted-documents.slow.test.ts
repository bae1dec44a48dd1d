import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { print } from 'graphql';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { documentHash } from '../../src/trusted-documents/manifest.ts';
import { MeDocument } from '../generated/graphql.ts';
import { changePassword, PASSWORD, signUp } from '../support/accounts.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, testEnv, type TestServer } from '../support/server.ts';

// TRUSTED_DOCUMENTS (docs/api/trusted-documents.md): with the manifest `npm run codegen` writes, only its
// documents run, by documentId or as their exact text; anything else is a 400 UNTRUSTED_DOCUMENT.

const MANIFEST = fileURLToPath(new URL('../../schema/trusted-documents.json', import.meta.url));
const ME = print(MeDocument);
const page: Record<string, unknown> = await import(new URL('../../src/account-ui/documents.js', import.meta.url).href);

interface Answer {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(server: TestServer, payload: Record<string, unknown>, token?: string): Promise<Answer> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

function expectRefused(answer: Answer, message: string): void {
  expect(answer.status).toBe(400);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toEqual([{ message, extensions: { code: 'UNTRUSTED_DOCUMENT' } }]);
}
const NOT_TRUSTED = 'This server runs only its trusted documents, and this document is not one of them.';

describe('with TRUSTED_DOCUMENTS', () => {
  let server: TestServer;
  let token: string;
  let email: string;
  beforeAll(async () => {
    server = await startTestServer({ TRUSTED_DOCUMENTS: MANIFEST });
    // The helpers send schema/operations' documents as graphql-codegen printed them: in the manifest.
    ({ token, email } = await signUp(server.graphqlUrl));
  });
  afterAll(() => server.close());

  it('runs a document of schema/operations sent as its text', async () => {
    expect(await post(server, { query: ME }, token)).toEqual({ status: 200, body: { data: { me: expect.objectContaining({ email }) } } });
    const result = await changePassword(server.graphqlUrl, token, { currentPassword: PASSWORD, newPassword: 'Another-Horse-8' });
    // The change ends the other sessions and renews this one: the later tests use the renewed token.
    ({ token } = expectType(result, 'ChangePasswordSuccess'));
  });

  it('runs a document named by its documentId (sha256:<hex> or the bare hash), with variables', async () => {
    const answer = await post(server, { documentId: `sha256:${documentHash(ME)}` }, token);
    expect(answer).toEqual({ status: 200, body: { data: { me: expect.objectContaining({ email }) } } });
    expect((await post(server, { documentId: documentHash(ME) }, token)).status).toBe(200);
    const viaGet = await fetch(`${server.graphqlUrl}?documentId=sha256:${documentHash(ME)}`, { headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': '1' } });
    expect(viaGet.status).toBe(200);
    expect(await viaGet.json()).toEqual({ data: { me: expect.objectContaining({ email }) } });
    const signIn = page.SIGN_IN as string;
    const wrong = await post(server, { documentId: `sha256:${documentHash(signIn)}`, variables: { input: { email, password: 'Wrong-Pass-1' } } });
    expect(wrong.body.data).toEqual({ signIn: expect.objectContaining({ __typename: 'InvalidCredentialsError' }) });
  });

  it("runs each of the account page's documents as the page sends them", async () => {
    const texts = Object.values(page).filter((value) => typeof value === 'string');
    expect(texts.length).toBeGreaterThan(10);
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
    for (const text of texts) expect(manifest[documentHash(text)]).toBe(text);
    expect(await post(server, { query: page.ME }, token)).toEqual({ status: 200, body: { data: { me: expect.objectContaining({ email }) } } });
  });

  it("keeps no document of the page outside documents.js, where the manifest cannot see it", () => {
    const ui = new URL('../../src/account-ui/', import.meta.url);
    for (const name of readdirSync(ui).filter((file) => file.endsWith('.js') && file !== 'documents.js')) {
      expect(readFileSync(new URL(name, ui), 'utf8')).not.toMatch(/\b(?:query|mutation|subscription|fragment)\s+[A-Z]\w*\s*[({]/);
    }
  });

  it('refuses an ad-hoc document, introspection and a known document with one character changed', async () => {
    expectRefused(await post(server, { query: '{ me { id email } }' }, token), NOT_TRUSTED);
    expectRefused(await post(server, { query: '{ __schema { types { name } } }' }), NOT_TRUSTED);
    expectRefused(await post(server, { query: '{ __typename }' }), NOT_TRUSTED);
    const changed = ME.replace('query Me', 'query Mf');
    expect(changed).not.toBe(ME);
    expectRefused(await post(server, { query: changed }, token), NOT_TRUSTED);
    // A trusted id cannot lend its trust to another text.
    expectRefused(await post(server, { query: changed, documentId: documentHash(ME) }, token), NOT_TRUSTED);
  });

  it('refuses an unknown documentId and a request naming no document', async () => {
    expectRefused(await post(server, { documentId: `sha256:${documentHash(`${ME} `)}` }), 'No trusted document has this documentId.');
    expectRefused(await post(server, { variables: {} }), 'Send a documentId or the text of a trusted document.');
  });

  it('serves no GraphiQL', async () => {
    const response = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
    expect(await response.text()).not.toContain('GraphiQL');
  });
});

describe('without TRUSTED_DOCUMENTS (the default)', () => {
  it('runs any valid document, and has GraphiQL outside production', async () => {
    expect(loadConfig(testEnv()).trustedDocuments).toBeNull();
    const server = await startTestServer();
    try {
      const answer = await post(server, { query: '{ __typename }' });
      expect(answer).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      const graphiql = await fetch(server.graphqlUrl, { headers: { accept: 'text/html' } });
      expect(graphiql.headers.get('content-type')).toContain('text/html');
    } finally {
      await server.close();
    }
  });
});

describe('a bad manifest stops the start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rekey-trusted-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  it.each([
    ['missing', join(dir, 'absent.json'), /TRUSTED_DOCUMENTS.*cannot be read/],
    ['not JSON', write('broken.json', '{'), /TRUSTED_DOCUMENTS.*is not JSON/],
    ['a document edited after hashing', write('edited.json', JSON.stringify({ [documentHash(ME)]: `${ME}\n` })), /does not hash to its key/],
    ['empty', write('empty.json', '{}'), /holds no document/],
  ])('%s', (_case, path, message) => {
    expect(() => loadConfig(testEnv({ TRUSTED_DOCUMENTS: path }))).toThrow(ConfigError);
    expect(() => loadConfig(testEnv({ TRUSTED_DOCUMENTS: path }))).toThrow(message);
  });
});
