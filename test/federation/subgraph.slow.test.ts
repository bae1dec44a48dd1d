import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { composeSupergraph, exampleSubgraphs } from '../../examples/supergraph/compose.ts';
import { signUp } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const SUBGRAPH_SDL = readFileSync(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8');

interface Answer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as Omit<Answer, 'status'>) };
}

const ENTITIES = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on User { id email createdAt passwordChangedAt sessions { id } securityEvents { edges { node { kind } } } }
  }
}`;

describe('FEDERATION=true: Rekey as a subgraph', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ FEDERATION: 'true' });
  });
  afterAll(() => server.close());

  it('serves the printed schema/subgraph.graphql as `_service { sdl }`', async () => {
    const answer = await post(server.graphqlUrl, '{ _service { sdl } }');
    expect(answer.data).toEqual({ _service: { sdl: SUBGRAPH_SDL } });
    expect(SUBGRAPH_SDL).toContain('type User @key(fields: "id")');
  });

  it("resolves the viewer's own reference to the account", async () => {
    const viewer = await signUp(server.graphqlUrl);
    const answer = await post(server.graphqlUrl, ENTITIES, { representations: [{ __typename: 'User', id: viewer.user.id }] }, viewer.token);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?._entities).toEqual([
      expect.objectContaining({ id: viewer.user.id, email: viewer.email, sessions: [expect.anything()] }),
    ]);
  });

  it("resolves another account's reference to its id alone, whatever the representation carries", async () => {
    const [viewer, other] = [await signUp(server.graphqlUrl), await signUp(server.graphqlUrl)];
    const idOnly = (id: string) => ({ id, email: null, createdAt: null, passwordChangedAt: null, sessions: null, securityEvents: null });
    const representations = [
      { __typename: 'User', id: other.user.id },
      // Extra fields, as a careless or hostile gateway could send: never read.
      { __typename: 'User', id: other.user.id, email: viewer.email, viewer: true, sub: other.user.id, token: viewer.token },
      // An id that exists nowhere answers the same: not even existence leaks.
      { __typename: 'User', id: '987654321' },
    ];
    for (const token of [viewer.token, undefined]) {
      const answer = await post(server.graphqlUrl, ENTITIES, { representations }, token);
      expect(answer.errors).toBeUndefined();
      expect(answer.data?._entities).toEqual([idOnly(other.user.id), idOnly(other.user.id), idOnly('987654321')]);
    }
    // Without a token, even the account's own id is a foreign reference.
    const anonymous = await post(server.graphqlUrl, ENTITIES, { representations: [{ __typename: 'User', id: viewer.user.id }] });
    expect(anonymous.data?._entities).toEqual([idOnly(viewer.user.id)]);
  });

  it('refuses a representation of another type or without an id, item by item', async () => {
    const viewer = await signUp(server.graphqlUrl);
    const representations = [{ __typename: 'Session', id: '1' }, { __typename: 'User' }, { __typename: 'User', id: viewer.user.id }];
    const answer = await post(server.graphqlUrl, ENTITIES, { representations }, viewer.token);
    expect(answer.data?._entities).toEqual([null, null, expect.objectContaining({ email: viewer.email })]);
    expect(answer.errors?.map((error) => error.message)).toEqual([
      'Rekey resolves only `User` references by `id`.',
      'Rekey resolves only `User` references by `id`.',
    ]);
  });
});

describe('FEDERATION unset', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('serves no `_service` or `_entities`', async () => {
    for (const query of ['{ _service { sdl } }', '{ _entities(representations: []) { __typename } }']) {
      const answer = await post(server.graphqlUrl, query);
      expect(answer.status).toBe(400);
      expect(answer.data).toBeUndefined();
    }
  });
});

describe('composition (@theguild/federation-composition)', () => {
  const urls = { rekeyUrl: 'http://rekey/graphql', ordersUrl: 'http://orders/graphql' };

  it('composes schema/subgraph.graphql with a subgraph that extends User', () => {
    const supergraph = composeSupergraph(exampleSubgraphs(urls, SUBGRAPH_SDL));
    expect(supergraph).toContain('orders: [Order!]!');
    expect(supergraph).toMatch(/type User @join__type\(graph: ORDERS, key: "id"\)\s*@join__type\(graph: REKEY, key: "id"\)/);
  });

  it('fails on an SDL broken on purpose (a key on a field User does not have)', () => {
    const broken = SUBGRAPH_SDL.replace('type User @key(fields: "id")', 'type User @key(fields: "uuid")');
    expect(broken).not.toBe(SUBGRAPH_SDL);
    expect(() => composeSupergraph(exampleSubgraphs(urls, broken))).toThrow(/do not compose[\s\S]*uuid/);
  });
});
