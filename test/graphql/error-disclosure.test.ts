import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PASSWORD, signUp } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// docs/api/limits.md ("Transport"): no answer ever echoes a submitted
// value or suggests field names in production; error details reach a client
// only with EXPOSE_ERROR_DETAILS=true, whatever NODE_ENV says.
const MARKER = 'Marker-Secret-Pass-77';
const SIGN_IN = 'mutation SignIn($input: SignInInput!) { signIn(input: $input) { __typename } }';

interface Answer {
  status: number;
  text: string;
  body: { errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(server: TestServer, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Answer['body'] };
}
const signInWith = (server: TestServer, input: unknown) => post(server, JSON.stringify({ query: SIGN_IN, variables: { input } }));
const messages = (answer: Answer) => (answer.body.errors ?? []).map((error) => error.message);

/** A real database fault on the password update: an unexpected error inside a resolver. */
async function unexpectedError(server: TestServer): Promise<Answer> {
  const account = await signUp(server.graphqlUrl);
  const db = server.rekey.orm.em.fork();
  await db.execute(`create or replace function refuse_update() returns trigger language plpgsql as $$ begin raise exception 'storage is read-only'; end $$`);
  await db.execute(`create or replace trigger refuse_update before update of "password" on "users" for each row execute function refuse_update()`);
  const query = 'mutation { changePassword(input: { currentPassword: "' + PASSWORD + '", newPassword: "Brand-New-Pass-7" }) { __typename } }';
  return post(server, JSON.stringify({ query }), { authorization: `Bearer ${account.token}` });
}

describe.each([
  ['production', { NODE_ENV: 'production' }],
  // An empty value counts as unset: NODE_ENV unset means development.
  ['NODE_ENV unset (development)', { NODE_ENV: '' }],
])('answers echo no submitted value (%s)', (mode, env) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(env);
  });
  afterAll(() => server.close());

  it('a variable with an unknown field: no value, and no suggestion in production', async () => {
    const answer = await signInWith(server, { emial: 'a@example.com', password: MARKER });
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain(MARKER);
    expect(messages(answer)).toContain('Variable "$input" got an invalid value; Expected value of type "SignInInput" to include required field "email".');
    if (mode === 'production') expect(answer.text).not.toMatch(/Did you mean/i);
  });

  it('a variable of the wrong type, whole or in a field', async () => {
    for (const input of [MARKER, { email: 'a@example.com', password: [MARKER] }, { email: 'a@example.com', password: { nested: MARKER } }]) {
      const answer = await signInWith(server, input);
      expect(answer.status).toBe(400);
      expect(answer.text).not.toContain(MARKER);
    }
    const field = await signInWith(server, { email: 'a@example.com', password: [MARKER] });
    expect(messages(field)).toEqual(['Variable "$input" got an invalid value at "input.password"; Expected a value of type "String".']);
  });

  it('an unknown field named like a value is not echoed either', async () => {
    const answer = await signInWith(server, { email: 'a@example.com', password: 'x', [`${MARKER}", found: x`]: 1 });
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain(MARKER);
  });

  it('a literal of the wrong type in the document', async () => {
    for (const literal of [`["${MARKER}"]`, `{ value: "${MARKER}" }`]) {
      const query = `mutation { signIn(input: { email: "a@example.com", password: ${literal} }) { __typename } }`;
      const answer = await post(server, JSON.stringify({ query }));
      expect(answer.status).toBe(400);
      expect(answer.text).not.toContain(MARKER);
    }
    const missing = await post(server, JSON.stringify({ query: `mutation { signIn(input: { email: "a@example.com", pasword: "${MARKER}" }) { __typename } }` }));
    expect(missing.text).not.toContain(MARKER);
    expect(messages(missing)).toContain('Expected value of type "SignInInput" to include required field "password".');
  });

  it('a syntax error names the token\'s kind, never its text', async () => {
    const documents = [
      `mutation { signIn(input: { email: "a@example.com", password "${MARKER}" }) { __typename } }`,
      `mutation { signIn(input: { email: "a@example.com", password: "${MARKER}" } ${MARKER}) { __typename } }`,
      `mutation { signIn(input: { email: "a@example.com", password: "${MARKER}\\q" }) { __typename } }`,
      `mutation { signIn(input: { email: "a@example.com", password: 0${MARKER.length} }) { __typename } }`,
      `mutation { signIn(input: { email: "a@example.com", password: 7${MARKER} }) { __typename } }`,
    ];
    for (const query of documents) {
      const answer = await post(server, JSON.stringify({ query }));
      expect(answer.status).toBe(400);
      expect(answer.text).not.toContain(MARKER);
      expect(answer.text).not.toContain(String(MARKER.length));
      expect(messages(answer)[0]).toMatch(/^Syntax Error: /);
    }
    const [missingColon] = messages(await post(server, JSON.stringify({ query: documents[0] })));
    expect(missingColon).toBe('Syntax Error: Expected ":", found String.');
  });

  it('malformed JSON: 400 without the parser\'s original error, which quotes the body', async () => {
    const answer = await post(server, `{"query": "${MARKER}`);
    expect(answer.status).toBe(400);
    expect(answer.text).not.toContain(MARKER);
    expect(answer.body.errors?.[0]?.extensions).not.toHaveProperty('originalError');
  });

  it('an unexpected error: "Unexpected error." with no stack or original error', async () => {
    const answer = await unexpectedError(server);
    expect(messages(answer)).toEqual(['Unexpected error.']);
    // docs/api/errors.md: an error while executing is HTTP 200 with `errors` (GraphQL over HTTP), and the docs say so.
    expect(answer.status).toBe(200);
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
    expect(readFileSync(new URL('../../docs/api/errors.md', import.meta.url), 'utf8')).toContain('answered HTTP 200 with `errors`');
    expect(answer.text).not.toMatch(/storage is read-only|originalError|stack|\.ts:\d+/);
  });
});

describe('EXPOSE_ERROR_DETAILS=true', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production', EXPOSE_ERROR_DETAILS: 'true' });
  });
  afterAll(() => server.close());

  it('sends an unexpected error\'s details, whatever NODE_ENV says', async () => {
    const answer = await unexpectedError(server);
    expect(messages(answer)).toEqual(['Unexpected error.']);
    expect(answer.text).toContain('storage is read-only');
  });

  it('redacts the original error: no failing row, email or hash; the database\'s own reason stays', async () => {
    const account = await signUp(server.graphqlUrl);
    const db = server.rekey.orm.em.fork();
    await db.execute(`drop trigger if exists refuse_update on "users"`);
    // A new row for "users" that breaks a constraint: PostgreSQL's detail quotes the whole row ("Failing row contains (…)").
    await db.execute(`alter table "users" add constraint "refuse_new_hashes" check ("password" is null or "id" < 0) not valid`);
    try {
      const query = 'mutation { changePassword(input: { currentPassword: "' + PASSWORD + '", newPassword: "Brand-New-Pass-7" }) { __typename } }';
      const answer = await post(server, JSON.stringify({ query }), { authorization: `Bearer ${account.token}` });
      expect(messages(answer)).toEqual(['Unexpected error.']);
      expect(answer.text).toContain('refuse_new_hashes');
      expect(answer.text).not.toMatch(/Failing row|\$2[abxy]\$|"detail"/);
      expect(answer.text).not.toContain(account.email);
    } finally {
      await db.execute(`alter table "users" drop constraint "refuse_new_hashes"`);
    }
  });

  it('still echoes no submitted value', async () => {
    const answer = await signInWith(server, { email: 'a@example.com', password: [MARKER] });
    expect(answer.text).not.toContain(MARKER);
  });
});
