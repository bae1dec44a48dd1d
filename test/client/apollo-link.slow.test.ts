import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChangePasswordDocument, MeDocument, SignUpDocument } from '../../client/src/generated/graphql.ts';
import type { TokenPair } from '../../client/src/token-store.ts';
import { PASSWORD, uniqueEmail } from '../support/accounts.ts';
import { graphql, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { RefreshSessionDocument, SignOutDocument } from '../generated/graphql.ts';
import { rekeyApollo } from './rekey-apollo.ts';

// Access tokens live 2 s (refreshed ahead after 1.5 s); a spent refresh token presented again is
// reuse at once (no grace), so reuse detection can be shown without waiting.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ JWT_TTL: '2s', REFRESH_REUSE_GRACE: '0s' });
});
afterAll(() => server.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function signedInClient() {
  const kit = rekeyApollo(server.graphqlUrl);
  const email = uniqueEmail('kit');
  const { data } = await kit.client.mutate({ mutation: SignUpDocument, variables: { input: { email, password: PASSWORD } } });
  expect(data?.signUp.__typename).toBe('AuthPayload');
  return { ...kit, email };
}

const meOf = (kit: Awaited<ReturnType<typeof signedInClient>>) => kit.client.query({ query: MeDocument, fetchPolicy: 'network-only' });
const storedPair = async (kit: Awaited<ReturnType<typeof signedInClient>>) => (await kit.store.load()) as TokenPair;

describe('an access token that expires mid-run', () => {
  it('is refreshed once, ahead of expiry, for ten concurrent queries', async () => {
    const kit = await signedInClient();
    await meOf(kit);
    await sleep(1_600);
    const results = await Promise.all(Array.from({ length: 10 }, () => meOf(kit)));
    expect(results.map((result) => result.data?.me?.email)).toEqual(Array(10).fill(kit.email));
    expect(kit.wire.count('RefreshSession')).toBe(1);
    expect(kit.session.state).toBe('signed-in');
  });

  it('is refreshed once when the server refuses it (the authentication signal), and every query is retried', async () => {
    const kit = await signedInClient();
    // A client whose clock lags: it still thinks the token is good when the server refuses it.
    const pair = await storedPair(kit);
    await kit.store.save({ ...pair, refreshAt: Number.MAX_SAFE_INTEGER });
    await sleep(2_100);
    const results = await Promise.all(Array.from({ length: 10 }, () => meOf(kit)));
    expect(results.map((result) => result.data?.me?.email)).toEqual(Array(10).fill(kit.email));
    expect(kit.wire.count('RefreshSession')).toBe(1);
    // Ten refused, ten retried with the one new token.
    expect(kit.wire.count('Me')).toBe(20);
    const fresh = (await storedPair(kit)).accessToken;
    expect(kit.wire.authorizations.filter((header) => header === `Bearer ${fresh}`)).toHaveLength(10);
  });
});

describe('changePassword', () => {
  it('stores the new pair, and the next query works without a refresh', async () => {
    const kit = await signedInClient();
    const before = await storedPair(kit);
    const { data } = await kit.client.mutate({
      mutation: ChangePasswordDocument,
      variables: { input: { currentPassword: PASSWORD, newPassword: 'Another-Horse-42' } },
    });
    expect(data?.changePassword.__typename).toBe('ChangePasswordSuccess');
    const after = await storedPair(kit);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // The old access token stopped working with the change; the stored one is the new one.
    const old = await graphql(server.graphqlUrl, MeDocument, {}, { token: before.accessToken });
    expect(old.data?.me).toBeNull();
    expect((await meOf(kit)).data?.me?.email).toBe(kit.email);
    expect(kit.wire.count('RefreshSession')).toBe(0);
  });
});

describe('a session that ends', () => {
  it('revoked elsewhere: the client is signed out once, and does not loop', async () => {
    const kit = await signedInClient();
    const states: string[] = [];
    kit.session.onStateChange((state) => states.push(state));
    const other = await run(server.graphqlUrl, SignUpDocument, { input: { email: uniqueEmail('x'), password: PASSWORD } });
    expect(other.signUp.__typename).toBe('AuthPayload');
    const { signOut } = await run(server.graphqlUrl, SignOutDocument, { input: {} }, { token: (await storedPair(kit)).accessToken });
    expect(signOut.__typename).toBe('SignOutSuccess');
    // The link stored nothing of that sign-out (it went around it): the client learns from the server.
    const first = await meOf(kit);
    expect(first.data?.me).toBeNull();
    expect(kit.session.state).toBe('signed-out');
    expect(states).toEqual(['signed-out']);
    expect(await kit.store.load()).toBeNull();
    await Promise.all([meOf(kit), meOf(kit), meOf(kit)]);
    expect(kit.wire.count('RefreshSession')).toBe(1);
    expect(kit.wire.authorizations.slice(-3)).toEqual([null, null, null]);
  });

  it('ended by refresh-token reuse detection: the owner is signed out cleanly', async () => {
    const kit = await signedInClient();
    const stolen = (await storedPair(kit)).refreshToken;
    await kit.session.resume();
    expect(kit.wire.count('RefreshSession')).toBe(1);
    // The thief replays the spent token: the server revokes the whole session.
    const replay = await run(server.graphqlUrl, RefreshSessionDocument, { input: { refreshToken: stolen } });
    expect(replay.refreshSession.__typename).toBe('InvalidSessionError');
    expect((await meOf(kit)).data?.me).toBeNull();
    expect(kit.session.state).toBe('signed-out');
    expect(kit.wire.count('RefreshSession')).toBe(2);
    await meOf(kit);
    expect(kit.wire.count('RefreshSession')).toBe(2);
  });

  it('signOut through the client forgets the pair', async () => {
    const kit = await signedInClient();
    const { data } = await kit.client.mutate({ mutation: SignOutDocument, variables: { input: {} } });
    expect(data?.signOut.__typename).toBe('SignOutSuccess');
    expect(kit.session.state).toBe('signed-out');
    expect(await kit.store.load()).toBeNull();
  });
});
