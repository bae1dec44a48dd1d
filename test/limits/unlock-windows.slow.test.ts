import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccountAdministration } from '../../src/identity/account-administration.ts';
import { SignInDocument } from '../generated/graphql.ts';
import { PASSWORD, signUp } from '../support/accounts.ts';
import { fromAddress, uniqueAddress } from '../support/addresses.ts';
import { run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// docs/operations/admin-cli.md, unlock: the operator's unlock ends the block
// and the account's rate-limit windows (its email's and its own), so the owner
// is admitted at once rather than after the window.
const stores = process.env.REDIS_URL ? (['in-process', 'Redis'] as const) : (['in-process'] as const);

describe.each(stores)('an operator unlocking an account (%s store)', (store) => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer(
      { TRUST_PROXY: '1', SIGN_IN_RATE_LIMIT: '10', SIGN_IN_EMAIL_RATE_LIMIT: '10', LOCKOUT_THRESHOLD: '5', LOCKOUT_BASE: '15m' },
      { useRedis: store === 'Redis' },
    );
    url = server.graphqlUrl;
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  const signInFrom = async (address: string, email: string, password: string) =>
    (await run(url, SignInDocument, { input: { email, password } }, fromAddress(address))).signIn.__typename;

  it("clears the email's window as well as the block", async () => {
    const owner = await signUp(url);
    const answers: string[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) answers.push(await signInFrom(uniqueAddress(), owner.email, `Wrong-${attempt}`));
    // Five failures block the account; the email's window (10) fills; then the limit refuses.
    expect(answers).toEqual([...Array(5).fill('InvalidCredentialsError'), ...Array(7).fill('RateLimitedError')]);

    const admin = new AccountAdministration(server.rekey.orm.em.fork(), server.rekey.deps);
    expect(await admin.unlock(owner.email)).toMatchObject({ wasLocked: true });
    const outcome = await signInFrom(uniqueAddress(), owner.email, PASSWORD);
    console.info(`the owner's sign-in right after an operator's unlock: ${outcome}`);
    expect(outcome).toBe('AuthPayload');
  });
});
