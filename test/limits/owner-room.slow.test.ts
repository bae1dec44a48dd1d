import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestPasswordResetDocument, SignInDocument } from '../generated/graphql.ts';
import { PASSWORD, signUp, uniqueEmail } from '../support/accounts.ts';
import { fromAddress, uniqueAddress } from '../support/addresses.ts';
import { run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// docs/design/lockout-and-devices.md, "an email's budget outlasts a handful of
// addresses": with the default limits, attackers at one address, or at five,
// cannot use up an email's sign-in or reset window, and one address holding
// device tokens of many accounts gets TRUSTED_SIGN_IN_RATE_LIMIT sign-ins a
// window, not SIGN_IN_RATE_LIMIT per device.
const stores = process.env.REDIS_URL ? (['in-process', 'Redis'] as const) : (['in-process'] as const);

describe.each(stores)('room left for the owner (%s store, default limits)', (store) => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    // The product's defaults (the test environment raises them); sign-ups, all from this process's address, are not measured here.
    const defaults = {
      SIGN_IN_RATE_LIMIT: '10',
      SIGN_IN_EMAIL_RATE_LIMIT: '60',
      TRUSTED_SIGN_IN_RATE_LIMIT: '30',
      PASSWORD_RESET_RATE_LIMIT: '5',
      PASSWORD_RESET_EMAIL_RATE_LIMIT: '30',
    };
    server = await startTestServer({ ...defaults, TRUST_PROXY: '1', SIGN_UP_RATE_LIMIT: '1000' }, { useRedis: store === 'Redis' });
    url = server.graphqlUrl;
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  const signInFrom = async (address: string, input: { email: string; password: string; deviceToken?: string | null }) =>
    (await run(url, SignInDocument, { input }, fromAddress(address))).signIn.__typename;
  const requestResetFrom = async (address: string, email: string) =>
    (await run(url, RequestPasswordResetDocument, { input: { email } }, fromAddress(address))).requestPasswordReset.__typename;

  /** Every attacker address guesses the email until its own limit refuses it, and a few times more. */
  async function attackFrom(addresses: string[], attempt: (address: string, index: number) => Promise<string>, perAddress: number) {
    const answers: string[] = [];
    for (const address of addresses) for (let index = 0; index < perAddress; index += 1) answers.push(await attempt(address, index));
    return answers;
  }

  it.each([1, 5])("leaves the owner's sign-in room while %i attacker address(es) guess the email as fast as they may", async (count) => {
    const owner = await signUp(url);
    const attackers = Array.from({ length: count }, () => uniqueAddress());
    const answers = await attackFrom(attackers, (address, index) => signInFrom(address, { email: owner.email, password: `Wrong-Guess-${index}` }), 13);
    // Each address gets its 10 (SIGN_IN_RATE_LIMIT) and is refused after.
    expect(answers.filter((answer) => answer === 'InvalidCredentialsError')).toHaveLength(10 * count);
    expect(await signInFrom(uniqueAddress(), { email: owner.email, password: PASSWORD })).toBe('AuthPayload');
  });

  it.each([1, 5])("leaves the owner's reset request room while %i attacker address(es) request resets of the email", async (count) => {
    const owner = await signUp(url);
    const attackers = Array.from({ length: count }, () => uniqueAddress());
    const answers = await attackFrom(attackers, (address) => requestResetFrom(address, owner.email), 7);
    // Each address gets its 5 (PASSWORD_RESET_RATE_LIMIT) and is refused after.
    expect(answers.filter((answer) => answer === 'RequestPasswordResetSuccess')).toHaveLength(5 * count);
    expect(await requestResetFrom(uniqueAddress(), owner.email)).toBe('RequestPasswordResetSuccess');
  });

  it('still limits one email guessed from many addresses (SIGN_IN_EMAIL_RATE_LIMIT, 60)', async () => {
    const owner = await signUp(url);
    const answers: string[] = [];
    for (let index = 0; index < 61; index += 1) answers.push(await signInFrom(uniqueAddress(), { email: owner.email, password: `Wrong-${index}` }));
    expect(answers).toEqual([...Array(60).fill('InvalidCredentialsError'), 'RateLimitedError']);
  });

  it('counts trusted sign-ins per address too: 30 (TRUSTED_SIGN_IN_RATE_LIMIT) of 60 a minute, over six devices', async () => {
    const address = uniqueAddress();
    const devices: { email: string; deviceToken: string }[] = [];
    for (let index = 0; index < 6; index += 1) {
      const account = await signUp(url, uniqueEmail('trusted'));
      devices.push({ email: account.email, deviceToken: account.deviceToken as string });
    }
    const answers: string[] = [];
    for (let round = 0; round < 10; round += 1) {
      for (const device of devices) answers.push(await signInFrom(address, { ...device, password: PASSWORD }));
    }
    const admitted = answers.filter((answer) => answer === 'AuthPayload').length;
    console.info(`trusted sign-ins admitted from one address in a minute: ${admitted} of ${answers.length}`);
    expect(admitted).toBe(30);
    // Another address is not affected, nor are these devices elsewhere.
    expect(await signInFrom(uniqueAddress(), { ...devices[0]!, password: PASSWORD })).toBe('AuthPayload');
  });
});
