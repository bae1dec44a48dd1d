import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { composeSupergraph, exampleSubgraphs } from '../../examples/supergraph/compose.ts';
import { createGatewayServer } from '../../examples/supergraph/gateway.ts';
import { createOrdersServer } from '../../examples/supergraph/orders.ts';
import { PASSWORD, uniqueEmail } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Rekey (FEDERATION=true, TRUST_PROXY=1, cookie mode) behind Hive Gateway with
 * the example's orders subgraph: three real HTTP servers on loopback, clients
 * on addresses of their own (127.0.0.2, 127.0.0.3, …: all of 127/8 is loopback).
 */
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: Record<string, Record<string, unknown> | null> | null;
  errors?: { message: string }[];
}

interface Call {
  token?: string | null;
  /** The client's own address: the gateway sees it as the socket's. */
  from?: string;
  headers?: Record<string, string>;
}

function listen(server: Server): Promise<string> {
  return once(server.listen(0, '127.0.0.1'), 'listening').then(() => `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
}

describe('Rekey behind Hive Gateway', () => {
  let rekey: TestServer;
  let orders: Server;
  let gateway: Server;
  let gatewayUrl: string;

  function call(
    query: string,
    variables: Record<string, unknown> = {},
    { token, from = '127.0.0.1', headers = {} }: Call = {},
  ): Promise<Answer> {
    const body = JSON.stringify({ query, variables });
    const auth = token ? { authorization: `Bearer ${token}` } : {};
    return new Promise((resolve, reject) => {
      const req = request(
        gatewayUrl,
        { method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', ...auth, ...headers } },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, ...(JSON.parse(text) as Omit<Answer, 'status' | 'headers'>) }),
          );
        },
      );
      req.on('error', reject).end(body);
    });
  }

  const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) {
    __typename ... on AuthPayload { token refreshToken user { id email } } ... on RateLimitedError { retryAfterSeconds } } }`;
  const SIGN_UP = 'mutation ($input: SignUpInput!) { signUp(input: $input) { __typename ... on AuthPayload { token user { id email } } } }';
  const ME = '{ me { id email orders { id item } sessions { ipAddress current } } }';

  async function signUp(from = '127.0.0.1') {
    const email = uniqueEmail('gateway');
    const answer = await call(SIGN_UP, { input: { email, password: PASSWORD } }, { from });
    const payload = answer.data?.signUp as { __typename: string; token: string; user: { id: string } };
    expect(payload.__typename).toBe('AuthPayload');
    return { email, token: payload.token, id: payload.user.id };
  }

  beforeAll(async () => {
    rekey = await startTestServer({ FEDERATION: 'true', TRUST_PROXY: '1', SESSION_COOKIE: 'true', SIGN_IN_RATE_LIMIT: '3' });
    orders = createOrdersServer({ rekeyUrl: rekey.url });
    const ordersUrl = await listen(orders);
    const sdl = readFileSync(new URL('../../schema/subgraph.graphql', import.meta.url), 'utf8');
    gateway = createGatewayServer({ supergraph: composeSupergraph(exampleSubgraphs({ rekeyUrl: rekey.graphqlUrl, ordersUrl }, sdl)) });
    gatewayUrl = await listen(gateway);
  });
  afterAll(async () => {
    gateway.closeAllConnections();
    orders.closeAllConnections();
    await Promise.all([new Promise((resolve) => gateway.close(resolve)), new Promise((resolve) => orders.close(resolve))]);
    await rekey.close();
  });

  it('signs up, signs in and answers `me { email orders { id } }` from both subgraphs', async () => {
    const account = await signUp();
    const signedIn = (await call(SIGN_IN, { input: { email: account.email, password: PASSWORD } })).data?.signIn as { token: string };
    const placed = await call('mutation { placeOrder(item: "a book") { id } }', {}, { token: signedIn.token });
    const orderId = (placed.data?.placeOrder as { id: string } | undefined)?.id;
    const me = await call(ME, {}, { token: signedIn.token });
    expect(me.errors).toBeUndefined();
    expect(me.data?.me).toMatchObject({ id: account.id, email: account.email, orders: [{ id: orderId, item: 'a book' }] });
  });

  it('reaches every changePassword result through the gateway', async () => {
    const account = await signUp();
    const change = async (input: Record<string, unknown>, token: string | null = account.token) => {
      const answer = await call(
        'mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { __typename ... on ChangePasswordSuccess { token } } }',
        { input },
        { token },
      );
      return answer.data?.changePassword as { __typename: string; token?: string };
    };
    expect((await change({ currentPassword: PASSWORD, newPassword: 'x-new-Password-1' }, null)).__typename).toBe('InvalidSessionError');
    expect((await change({ currentPassword: 'Wrong-Horse-9', newPassword: 'x-new-Password-1' })).__typename).toBe('IncorrectPasswordError');
    expect((await change({ currentPassword: '', newPassword: 'x-new-Password-1' })).__typename).toBe('ValidationError');
    expect((await change({ currentPassword: PASSWORD, newPassword: 'password1' })).__typename).toBe('WeakPasswordError');
    expect((await change({ currentPassword: PASSWORD, newPassword: PASSWORD })).__typename).toBe('PasswordReusedError');
    const success = await change({ currentPassword: PASSWORD, newPassword: 'Brand-New-Horse-77' });
    expect(success.__typename).toBe('ChangePasswordSuccess');
    // RateLimitedError, the last member, is reached through signIn below: the limits count the same way.
  });

  it('refuses a revoked session: `me` is null and the WWW-Authenticate signal reaches the client', async () => {
    const account = await signUp();
    const other = (await call(SIGN_IN, { input: { email: account.email, password: PASSWORD } })).data?.signIn as { token: string };
    const changed = await call(
      'mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { __typename } }',
      { input: { currentPassword: PASSWORD, newPassword: 'Brand-New-Horse-78', revokeOtherSessions: true } },
      { token: other.token },
    );
    expect(changed.data?.changePassword).toEqual({ __typename: 'ChangePasswordSuccess' });
    const revoked = await call(ME, {}, { token: account.token });
    expect(revoked.data?.me).toBeNull();
    expect(revoked.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('counts the rate limit by the real client address: two clients behind one gateway are two addresses', async () => {
    const attempt = (from: string, spoofed?: string) =>
      call(
        SIGN_IN,
        { input: { email: uniqueEmail('nobody'), password: 'Wrong-Horse-9' } },
        { from, ...(spoofed ? { headers: { 'x-forwarded-for': spoofed } } : {}) },
      );
    // Client A changes the X-Forwarded-For it sends each time: only the gateway's entry counts.
    for (const n of [1, 2, 3])
      expect((await attempt('127.0.0.2', `203.0.113.${n}`)).data?.signIn).toEqual({ __typename: 'InvalidCredentialsError' });
    const limited = await attempt('127.0.0.2', '203.0.113.4');
    expect(limited.data?.signIn).toMatchObject({ __typename: 'RateLimitedError', retryAfterSeconds: expect.any(Number) });
    // Client B, behind the same gateway, has its own budget.
    expect((await attempt('127.0.0.3')).data?.signIn).toEqual({ __typename: 'InvalidCredentialsError' });
    // And the session Rekey records carries the client's address, not the gateway's.
    const account = await signUp('127.0.0.4');
    const me = await call(ME, {}, { token: account.token, from: '127.0.0.4' });
    expect(me.data?.me?.sessions).toEqual([{ ipAddress: '127.0.0.4', current: true }]);
  });

  it('works in cookie mode: the refresh cookie comes back through the gateway and refreshes the session', async () => {
    const account = await signUp();
    const signedIn = await call(
      SIGN_IN,
      { input: { email: account.email, password: PASSWORD } },
      { headers: { 'x-graphql-yoga-csrf': '1' } },
    );
    expect(signedIn.data?.signIn).toMatchObject({ __typename: 'AuthPayload', refreshToken: null });
    const setCookies = [signedIn.headers['set-cookie'] ?? []].flat();
    const refresh = setCookies.find((cookie) => cookie.startsWith('rekey_refresh='));
    expect(refresh).toMatch(/HttpOnly/i);
    const cookie = (refresh ?? '').split(';')[0] ?? '';
    const REFRESH = 'mutation { refreshSession(input: {}) { __typename ... on AuthPayload { token } } }';
    const refreshed = await call(REFRESH, {}, { headers: { cookie, 'x-graphql-yoga-csrf': '1' } });
    expect(refreshed.data?.refreshSession).toMatchObject({ __typename: 'AuthPayload', token: expect.any(String) });
    // The rotated refresh cookie came back too, and refreshes the session again.
    const rotated = [refreshed.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('rekey_refresh='));
    expect(rotated?.split(';')[0]).not.toBe(cookie);
    const again = await call(REFRESH, {}, { headers: { cookie: rotated?.split(';')[0] ?? '', 'x-graphql-yoga-csrf': '1' } });
    expect(again.data?.refreshSession).toMatchObject({ __typename: 'AuthPayload' });
    // Without the CSRF header, a request carrying the cookie is refused: the gateway forwards the header, not a bypass.
    const forged = await call(REFRESH, {}, { headers: { cookie: rotated?.split(';')[0] ?? '' } });
    expect(forged.data?.refreshSession ?? null).toBeNull();
  });

  it("answers another account's fields with null when the gateway fetches them from Rekey for another subgraph", async () => {
    const [buyer, reader] = [await signUp(), await signUp()];
    await call('mutation { placeOrder(item: "a lamp") { id } }', {}, { token: buyer.token });
    await call('mutation { placeOrder(item: "a chair") { id } }', {}, { token: reader.token });
    // recentOrders starts in the orders subgraph; buyer { email } makes the gateway call Rekey's `_entities`.
    const feed = await call('{ recentOrders { item buyer { id email } } }', {}, { token: reader.token });
    expect(feed.errors).toBeUndefined();
    const items = feed.data?.recentOrders as unknown as { item: string; buyer: { id: string; email: string | null } }[];
    expect(items).toEqual(
      expect.arrayContaining([
        { item: 'a lamp', buyer: { id: buyer.id, email: null } },
        { item: 'a chair', buyer: { id: reader.id, email: reader.email } },
      ]),
    );
  });

  it("answers another account's id with the id alone when a subgraph asks Rekey through `_entities`", async () => {
    const [viewer, other] = [await signUp(), await signUp()];
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email sessions { id } } } }';
    const representations = [
      { __typename: 'User', id: other.id, email: viewer.email },
      { __typename: 'User', id: viewer.id },
    ];
    const response = await fetch(rekey.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.token}` },
      body: JSON.stringify({ query, variables: { r: representations } }),
    });
    const { data } = (await response.json()) as { data: { _entities: unknown[] } };
    expect(data._entities).toEqual([
      { id: other.id, email: null, sessions: null },
      { id: viewer.id, email: viewer.email, sessions: [expect.anything()] },
    ]);
  });
});
