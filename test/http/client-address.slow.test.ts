import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecurityEventsDocument, SignUpDocument } from '../generated/graphql.ts';
import { PASSWORD, signIn, uniqueEmail } from '../support/accounts.ts';
import { fromAddress } from '../support/addresses.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';

// Behind one proxy: the client address is the entry it appended to X-Forwarded-For.
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ TRUST_PROXY: '1', SIGN_IN_RATE_LIMIT: '2' });
}, 180_000);
afterAll(() => server?.close(), 60_000);

describe('an IPv6 client', () => {
  it('is stored and shown by its own address on sessions and security events, not by its /64', async () => {
    const address = '2001:db8:7::1';
    const { signUp } = await run(server.graphqlUrl, SignUpDocument, { input: { email: uniqueEmail('ipv6'), password: PASSWORD } }, fromAddress(address));
    const account = expectType(signUp, 'AuthPayload');
    const sessions = await sessionClient(server.graphqlUrl).sessions(account.token);
    expect(sessions?.map((session) => session.ipAddress)).toEqual([address]);
    const { me } = await run(server.graphqlUrl, SecurityEventsDocument, { first: 10 }, { token: account.token });
    const addresses = new Set(me?.securityEvents.edges.map((edge) => edge.node.ipAddress));
    expect([...addresses]).toEqual([address]);
  });

  it('shares one per-address limit with every other address of its /64', async () => {
    // SIGN_IN_RATE_LIMIT is 2 a minute; three addresses of 2001:db8:9::/64, each a different email.
    const attempt = (address: string) => signIn(server.graphqlUrl, uniqueEmail('probe'), 'Wrong-Pass-123', fromAddress(address));
    expect((await attempt('2001:db8:9::1')).__typename).toBe('InvalidCredentialsError');
    expect((await attempt('2001:db8:9::2')).__typename).toBe('InvalidCredentialsError');
    expect((await attempt('2001:db8:9:0:ffff::3')).__typename).toBe('RateLimitedError');
    // Another /64 has its own.
    expect((await attempt('2001:db8:a::1')).__typename).toBe('InvalidCredentialsError');
  });
});
