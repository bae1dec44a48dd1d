import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { signUp } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Property-based fuzzing of everything a client controls, against the real app
// (no socket: app.fetch runs the whole HTTP pipeline). Every case places a
// random secret-like marker where a password or token goes; whatever else is
// wrong with the request, the answer is below 500 and never contains it.

let server: TestServer;
let validToken: string;
beforeAll(async () => {
  // Production settings: masked errors, no introspection.
  server = await startTestServer({ NODE_ENV: 'production' });
  validToken = (await signUp(server.graphqlUrl)).token;
}, 60_000);
afterAll(() => server.close());

const send = (path: string, init: RequestInit) => server.rekey.app.fetch(new Request(`http://localhost${path}`, init));

/** A secret-like value: if it shows up in an answer, the server echoed a password or token. */
const marker = fc
  .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), { minLength: 12, maxLength: 12 })
  .map((chars) => `Zq9!${chars.join('')}`);

const nested = (depth: number, leaf: unknown): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { a: value };
  return value;
};

/** Anything a JSON body can hold, including the awkward: unicode, lone surrogates, huge, deep, null. */
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 1, max: 3_000 }).map((depth) => nested(depth, 'x')),
  fc.integer({ min: 1_000, max: 150_000 }).map((length) => 'x'.repeat(length)),
);

/** A password field's value holding the marker, well-typed or not. */
const passwordWith = (secret: string): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant(secret),
    fc.string({ unit: 'grapheme', maxLength: 10 }).map((extra) => `${secret}${extra}`),
    fc.constant([secret]),
    fc.constant({ value: secret }),
    fc.integer({ min: 2, max: 5_000 }).map((times) => secret.repeat(times)),
    fc.integer({ min: 1, max: 500 }).map((depth) => nested(depth, secret)),
  );

const email = fc.oneof(fc.emailAddress(), fc.constant('fuzz@example.com'), junk);

/** An input object for signUp/signIn/changePassword: the right fields, wrong ones, extra ones, missing ones. */
const inputWith = (secret: string) =>
  fc.record(
    {
      email,
      password: passwordWith(secret),
      currentPassword: passwordWith(secret),
      newPassword: passwordWith(secret),
      revokeOtherSessions: fc.oneof(fc.boolean(), junk),
      extra: junk,
    },
    { requiredKeys: [] },
  );

const FIELDS = {
  signUp: ['SignUpInput', '... on AuthPayload { token user { id email } }'],
  signIn: ['SignInInput', '... on AuthPayload { token user { id email } }'],
  changePassword: ['ChangePasswordInput', '... on ChangePasswordSuccess { token message }'],
} as const;
const SELECTION = `__typename ... on Error { code message } ... on WeakPasswordError { violations { rule message } } ... on ValidationError { fieldErrors { path message } }`;

/** GraphQL literal syntax for a JSON-like value (object keys that are not names make a syntax error: also a case). */
function literal(value: unknown, depth = 0): string {
  // Far past the token limit anyway; keeps this printer off the stack limit.
  if (depth > 400) return '"…"';
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, depth + 1)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([key, inner]) => `${key}: ${literal(inner, depth + 1)}`)
      .join(', ')} }`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

/** One GraphQL request: a document (with variables or inline literals, or mangled) and headers. */
const graphqlRequest = marker.chain((secret) =>
  fc
    .record({
      field: fc.constantFrom(...(Object.keys(FIELDS) as (keyof typeof FIELDS)[]), 'me', 'passwordPolicy'),
      declaredType: fc.oneof(fc.constant(null), fc.constantFrom('SignUpInput!', 'SignInInput', 'ChangePasswordInput!', 'String!', 'Int', '[String]')),
      input: inputWith(secret),
      inline: fc.boolean(),
      mangle: fc.oneof(fc.constant(null), fc.record({ at: fc.nat(), text: fc.string({ unit: 'grapheme', maxLength: 8 }) })),
      variables: fc.oneof(fc.constant(null), junk),
      token: fc.constantFrom('valid', 'none', 'secret', 'garbage'),
      contentType: fc.constantFrom('application/json', 'application/graphql-response+json', 'text/plain', 'application/x-www-form-urlencoded'),
      rawBody: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ unit: 'binary' }) }),
    })
    .map((spec) => {
      let document: string;
      let variables: unknown = spec.variables;
      if (spec.field === 'me') document = `query { me { id email createdAt } }`;
      else if (spec.field === 'passwordPolicy') document = `query { passwordPolicy { name minLength } }`;
      else {
        const [inputType, success] = FIELDS[spec.field];
        const type = spec.declaredType ?? `${inputType}!`;
        document = spec.inline
          ? `mutation { ${spec.field}(input: ${literal(spec.input)}) { ${success} ${SELECTION} } }`
          : `mutation Fuzz($input: ${type}) { ${spec.field}(input: $input) { ${success} ${SELECTION} } }`;
        if (!spec.inline && spec.variables === null) variables = { input: spec.input };
      }
      if (spec.mangle) {
        const at = spec.mangle.at % (document.length + 1);
        document = document.slice(0, at) + spec.mangle.text + document.slice(at);
      }
      const authorization = { valid: `Bearer ${validToken}`, none: null, secret: `Bearer ${secret}`, garbage: `Basic ${secret}` }[spec.token];
      const body = spec.rawBody ?? JSON.stringify({ query: document, variables });
      const headers: Record<string, string> = { 'content-type': spec.contentType, 'x-graphql-yoga-csrf': '1' };
      if (authorization) headers.authorization = authorization;
      return { secret, body, headers };
    }),
);

/** One request to the workflow-compatible REST route. */
const restRequest = marker.chain((secret) =>
  fc
    .record({
      body: fc.record(
        {
          jwt: fc.oneof(fc.constant('valid'), fc.constant(secret), junk),
          currentPassword: passwordWith(secret),
          newPassword: passwordWith(secret),
          extra: junk,
        },
        { requiredKeys: [] },
      ),
      asArray: fc.boolean(),
      path: fc.constantFrom('/api/v1/change-password', '/api/v1/abc/change-password', '/api/v1/%ZZ/change-password'),
      method: fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'GET'),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain'),
      rawBody: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string().map((text) => `${text}${secret}`) }),
    })
    .map((spec) => {
      const fields = { ...spec.body, ...(spec.body.jwt === 'valid' ? { jwt: validToken } : {}) };
      const body = spec.method === 'GET' ? undefined : (spec.rawBody ?? JSON.stringify(spec.asArray ? [fields] : fields));
      return { secret, path: spec.path, init: { method: spec.method, headers: { 'content-type': spec.contentType }, body } };
    }),
);

describe('fuzzing the GraphQL endpoint', () => {
  it('answers thousands of random documents, variables and headers below 500, never echoing a secret', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(graphqlRequest, async ({ secret, body, headers }) => {
        const response = await send('/graphql', { method: 'POST', headers, body });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status).toBeLessThan(500);
        expect(text).not.toContain(secret);
      }),
      { numRuns: 2_500 },
    );
    // The cases reached both refusals and execution.
    expect(statuses.get(200)).toBeGreaterThan(50);
    expect(statuses.get(400)).toBeGreaterThan(100);
    const alive = await send('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(await alive.json()).toEqual({ data: { __typename: 'Query' } });
  }, 60_000);
});

describe('fuzzing the REST change-password route', () => {
  it('answers thousands of random bodies below 500 with the contract’s statuses, never echoing a secret', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(restRequest, async ({ secret, path, init }) => {
        const response = await send(path, init);
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect([200, 400, 401, 404, 405, 413, 415, 429]).toContain(response.status);
        expect(text).not.toContain(secret);
      }),
      { numRuns: 1_500 },
    );
    expect(statuses.get(400)).toBeGreaterThan(100);
    const health = await send('/health', { method: 'GET' });
    expect(health.status).toBe(200);
  }, 60_000);
});
