import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createRekeyLink } from '../../client/src/apollo-link.ts';
import { ChangePasswordDocument, type ChangePasswordMutation, SignUpDocument } from '../../client/src/generated/graphql.ts';
import { isError } from '../../client/src/narrow.ts';
import { RekeySession } from '../../client/src/rekey-session.ts';
import { memoryTokenStore } from '../../client/src/token-store.ts';
import { PASSWORD, uniqueEmail } from '../support/accounts.ts';
import { enrolTotp } from '../support/totp.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { rekeyApollo } from './rekey-apollo.ts';

type Result = ChangePasswordMutation['changePassword'];

// A low change-password limit, so that RateLimitedError is reachable too.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ CHANGE_PASSWORD_RATE_LIMIT: '8' });
});
afterAll(() => server.close());

async function signedIn(kit: ReturnType<typeof rekeyApollo>) {
  await kit.client.mutate({ mutation: SignUpDocument, variables: { input: { email: uniqueEmail('union'), password: PASSWORD } } });
  return kit;
}

async function changePassword(kit: ReturnType<typeof rekeyApollo>, currentPassword: string, newPassword: string, secondFactorCode?: string): Promise<Result> {
  const { data } = await kit.client.mutate({ mutation: ChangePasswordDocument, variables: { input: { currentPassword, newPassword, secondFactorCode } } });
  if (!data) throw new Error('no data');
  return data.changePassword;
}

describe('every member of ChangePasswordResult, through Apollo Client with the kit', () => {
  it('carries its error fields (code and message, and its own)', async () => {
    const kit = await signedIn(rekeyApollo(server.graphqlUrl));
    const seen = new Map<string, Result>();
    const keep = (result: Result) => seen.set(result.__typename, result);
    const fresh = await signedIn(rekeyApollo(server.graphqlUrl));
    keep(await changePassword(fresh, PASSWORD, 'Another-Horse-42'));
    keep(await changePassword(kit, '', 'Another-Horse-42'));
    keep(await changePassword(kit, PASSWORD, 'password'));
    keep(await changePassword(kit, PASSWORD, PASSWORD));
    keep(await changePassword(rekeyApollo(server.graphqlUrl), PASSWORD, 'Another-Horse-42'));
    // An account with TOTP on: without a code, and with a wrong one.
    const twoStep = await signedIn(rekeyApollo(server.graphqlUrl));
    const pair = await twoStep.store.load();
    await enrolTotp(server.graphqlUrl, { token: pair?.accessToken ?? '', password: PASSWORD });
    keep(await changePassword(twoStep, PASSWORD, 'Another-Horse-42'));
    keep(await changePassword(twoStep, PASSWORD, 'Another-Horse-42', '000000'));
    // The limit counts per client address too: the last attempts meet it.
    for (let attempt = 0; attempt < 8 && !seen.has('RateLimitedError'); attempt += 1) {
      keep(await changePassword(kit, 'Not-The-Password-1', 'Another-Horse-42'));
    }

    expect([...seen.keys()].sort()).toEqual([
      'ChangePasswordSuccess',
      'IncorrectPasswordError',
      'IncorrectSecondFactorError',
      'InvalidSessionError',
      'PasswordReusedError',
      'RateLimitedError',
      'SecondFactorRequiredError',
      'ValidationError',
      'WeakPasswordError',
    ]);
    for (const result of seen.values()) {
      if (!isError(result)) continue;
      expect([result.__typename, typeof result.code, typeof result.message]).toEqual([result.__typename, 'string', 'string']);
    }
    const byName = Object.fromEntries(seen);
    expect(byName.ValidationError).toMatchObject({ fieldErrors: [expect.objectContaining({ path: expect.any(Array) })] });
    expect(byName.WeakPasswordError).toMatchObject({ violations: expect.arrayContaining([expect.objectContaining({ rule: expect.any(String) })]) });
    expect(byName.RateLimitedError).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  });

  it('loses them without possibleTypes (why the kit ships them)', async () => {
    const session = new RekeySession({ url: server.graphqlUrl, store: memoryTokenStore() });
    const bare = new ApolloClient({
      link: ApolloLink.from([createRekeyLink(session), new HttpLink({ uri: server.graphqlUrl })]),
      cache: new InMemoryCache(),
    });
    const { data } = await bare.mutate({
      mutation: ChangePasswordDocument,
      variables: { input: { currentPassword: PASSWORD, newPassword: 'Another-Horse-42' } },
    });
    const result = data!.changePassword as { __typename: string; code?: unknown };
    expect(result.__typename).toBe('InvalidSessionError');
    expect(result.code).toBeUndefined();
  });
});
