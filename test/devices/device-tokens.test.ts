import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseSetCookie } from 'cookie';
import { AccountAdministration } from '../../src/identity/account-administration.ts';
import { DEVICE_COOKIE, REFRESH_COOKIE } from '../../src/graphql/session-cookie.ts';
import { SignInDocument, SignOutDocument, SignUpDocument } from '../generated/graphql.ts';
import { PASSWORD, changePassword, signUp, uniqueEmail } from '../support/accounts.ts';
import { fromAddress, uniqueAddress } from '../support/addresses.ts';
import { CookieClient } from '../support/cookie-client.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';

// docs/api/limits.md, device tokens: a sign-in presenting
// a token from an earlier sign-in on that device is counted in the device's own
// bucket and is never refused by the email's limit or the account's block.
// Each server: 10 sign-ins per window per address, email and device, a block after 5 failures.
const stores = process.env.REDIS_URL ? (['in-process', 'Redis'] as const) : (['in-process'] as const);
const LIMITS = { TRUST_PROXY: '1', SIGN_IN_RATE_LIMIT: '10', SIGN_IN_EMAIL_RATE_LIMIT: '10', LOCKOUT_THRESHOLD: '5', LOCKOUT_BASE: '15m' };
const NEW_PASSWORD = 'Brand-New-Pass-7';

const signInFrom = async (url: string, address: string, input: { email: string; password: string; deviceToken?: string | null }) =>
  (await run(url, SignInDocument, { input }, fromAddress(address))).signIn;

/**
 * An attacker guessing the victim's password, each guess from a fresh address
 * (so no address limit stops it): 5 wrong guesses block the account, and the
 * 10 that follow fill the email's window. Returns what the guesses got.
 */
async function hammer(url: string, email: string): Promise<string[]> {
  const answers: string[] = [];
  for (let attempt = 0; attempt < 15; attempt += 1) {
    answers.push((await signInFrom(url, uniqueAddress(), { email, password: `Wrong-Guess-${attempt}` })).__typename);
  }
  return answers;
}

describe.each(stores)('device tokens (%s store)', (store) => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer(LIMITS, { useRedis: store === 'Redis' });
    url = server.graphqlUrl;
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  /** The owner signs up, then signs in on a device of theirs, which keeps the answer's device token. */
  async function ownerWithDevice(url = server.graphqlUrl) {
    const owner = await signUp(url);
    const home = uniqueAddress();
    const first = expectType(await signInFrom(url, home, { email: owner.email, password: PASSWORD }), 'AuthPayload');
    expect(first.deviceToken).toMatch(/^d1\./);
    return { ...owner, home, deviceToken: first.deviceToken as string };
  }

  it("admits the owner's device while an attacker keeps the account blocked and the email's window full", async () => {
    const owner = await ownerWithDevice();
    const attack = await hammer(url, owner.email);
    expect(attack).toEqual([...Array(5).fill('InvalidCredentialsError'), ...Array(10).fill('RateLimitedError')]);

    // Before device tokens, this was the owner's only way in, and it is refused, from any address.
    expect((await signInFrom(url, uniqueAddress(), { email: owner.email, password: PASSWORD })).__typename).toBe('RateLimitedError');

    const admitted = expectType(await signInFrom(url, uniqueAddress(), { email: owner.email, password: PASSWORD, deviceToken: owner.deviceToken }), 'AuthPayload');
    expect(admitted.user.email).toBe(owner.email);
    // The same device keeps the same token.
    expect(admitted.deviceToken).toBe(owner.deviceToken);
    expect(await sessionClient(url).me(admitted.token)).toMatchObject({ email: owner.email });

    // The owner's success did not lift the block for everyone else (or it would reopen the attacker's window).
    expect((await signInFrom(url, uniqueAddress(), { email: owner.email, password: PASSWORD })).__typename).toBe('RateLimitedError');
  });

  it("counts a device's sign-ins in its own bucket, not the address's or the email's", async () => {
    const owner = await ownerWithDevice();
    const answers: string[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      answers.push((await signInFrom(url, owner.home, { email: owner.email, password: PASSWORD, deviceToken: owner.deviceToken })).__typename);
    }
    expect(answers).toEqual([...Array(10).fill('AuthPayload'), 'RateLimitedError']);
    // Neither the address nor the email spent anything: a sign-in without the token goes through.
    expect((await signInFrom(url, owner.home, { email: owner.email, password: PASSWORD })).__typename).toBe('AuthPayload');
  });

  it('voids a device token after 10 failed sign-ins in a row, which do not feed the account block', async () => {
    // More than the window's 10 sign-ins happen here: a server whose buckets are large, so only the failure count decides.
    const roomy = await startTestServer({ ...LIMITS, SIGN_IN_RATE_LIMIT: '1000' }, { useRedis: store === 'Redis' });
    try {
      await voidsAfterTenFailures(roomy);
    } finally {
      await roomy.close();
    }
  });

  async function voidsAfterTenFailures(server: TestServer) {
    const url = server.graphqlUrl;
    const owner = await ownerWithDevice(url);
    const device = { email: owner.email, deviceToken: owner.deviceToken };
    // Nine failures, then a success: the count starts over.
    for (let attempt = 0; attempt < 9; attempt += 1) {
      expect((await signInFrom(url, uniqueAddress(), { ...device, password: `Wrong-${attempt}` })).__typename).toBe('InvalidCredentialsError');
    }
    expect((await signInFrom(url, uniqueAddress(), { ...device, password: PASSWORD })).__typename).toBe('AuthPayload');
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await signInFrom(url, uniqueAddress(), { ...device, password: `Wrong-Again-${attempt}` })).__typename).toBe('InvalidCredentialsError');
    }
    // 19 failures with the token, over the account's threshold of 5: yet the account is not blocked.
    expect((await signInFrom(url, uniqueAddress(), { email: owner.email, password: PASSWORD })).__typename).toBe('AuthPayload');

    // The token is void: once the account is blocked, it no longer lets anyone through.
    await hammer(url, owner.email);
    expect((await signInFrom(url, uniqueAddress(), { ...device, password: PASSWORD })).__typename).toBe('RateLimitedError');
    const [row] = await server.rekey.orm.em
      .fork()
      .execute<{ voided_reason: string }[]>(`select "voided_reason" from "device_tokens" where "id" = ?`, [owner.deviceToken.split('.')[1]]);
    expect(row?.voided_reason).toBe('failed_sign_ins');
  }

  it("treats another account's, forged, altered and malformed tokens as absent", async () => {
    const owner = await ownerWithDevice();
    const other = await ownerWithDevice();
    await hammer(url, owner.email);
    const [version, deviceId, userId, signature] = owner.deviceToken.split('.') as [string, string, string, string];
    const flipped = `${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    const presented = {
      "another account's": other.deviceToken,
      'a forged signature': [version, deviceId, userId, flipped].join('.'),
      'another account id': [version, deviceId, other.user.id, signature].join('.'),
      'a made-up device': [version, '00000000-0000-4000-8000-000000000000', userId, signature].join('.'),
      'a malformed': 'not-a-device-token',
      'an empty': '',
      'a huge': 'd1.'.padEnd(10_000, 'x'),
    };
    for (const [what, deviceToken] of Object.entries(presented)) {
      const answer = await signInFrom(url, uniqueAddress(), { email: owner.email, password: PASSWORD, deviceToken });
      expect({ what, answer: answer.__typename }).toEqual({ what, answer: 'RateLimitedError' });
    }
    // The real one still works, and the other account's token still works for its own account.
    expect((await signInFrom(url, uniqueAddress(), { email: owner.email, password: PASSWORD, deviceToken: owner.deviceToken })).__typename).toBe('AuthPayload');
    expect((await signInFrom(url, uniqueAddress(), { email: other.email, password: PASSWORD, deviceToken: other.deviceToken })).__typename).toBe(
      'AuthPayload',
    );
  });

  it('revokes device tokens with the sessions: sign-out everywhere, and a password change that signs out the others', async () => {
    // Sign-out everywhere.
    const owner = await ownerWithDevice();
    const session = expectType(await signInFrom(url, owner.home, { email: owner.email, password: PASSWORD }), 'AuthPayload');
    expect(await sessionClient(url).signOut(session.token, true)).toMatchObject({ __typename: 'SignOutSuccess' });
    await hammer(url, owner.email);
    expect((await signInFrom(url, uniqueAddress(), { email: owner.email, password: PASSWORD, deviceToken: owner.deviceToken })).__typename).toBe(
      'RateLimitedError',
    );

    // A change with revokeOtherSessions (the default) voids the old token and hands the caller a new one.
    const changer = await ownerWithDevice();
    const changed = expectType(await changePassword(url, changer.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }), 'ChangePasswordSuccess');
    expect(changed.deviceToken).toMatch(/^d1\./);
    expect(changed.deviceToken).not.toBe(changer.deviceToken);
    await hammer(url, changer.email);
    const withOld = await signInFrom(url, uniqueAddress(), { email: changer.email, password: NEW_PASSWORD, deviceToken: changer.deviceToken });
    expect(withOld.__typename).toBe('RateLimitedError');
    const withNew = await signInFrom(url, uniqueAddress(), { email: changer.email, password: NEW_PASSWORD, deviceToken: changed.deviceToken });
    expect(withNew.__typename).toBe('AuthPayload');

    // With revokeOtherSessions: false the other devices stay trusted.
    const keeper = await ownerWithDevice();
    expectType(await changePassword(url, keeper.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, revokeOtherSessions: false }), 'ChangePasswordSuccess');
    await hammer(url, keeper.email);
    const kept = await signInFrom(url, uniqueAddress(), { email: keeper.email, password: NEW_PASSWORD, deviceToken: keeper.deviceToken });
    expect(kept.__typename).toBe('AuthPayload');
  });

  it("voids them when an operator revokes the account's sessions (admin CLI revoke-sessions)", async () => {
    const owner = await ownerWithDevice();
    const admin = new AccountAdministration(server.rekey.orm.em.fork(), server.rekey.deps);
    await admin.revokeSessions(owner.email);
    await hammer(url, owner.email);
    expect((await signInFrom(url, uniqueAddress(), { email: owner.email, password: PASSWORD, deviceToken: owner.deviceToken })).__typename).toBe(
      'RateLimitedError',
    );
  });

  it('gives every answer that verified the password a device token of its own, and none on refresh', async () => {
    const owner = await ownerWithDevice();
    const signedUp = await signUp(url);
    expect(signedUp.deviceToken).toMatch(/^d1\./);
    expect(signedUp.deviceToken).not.toBe(owner.deviceToken);
    // A refresh verified no password: it hands out no device token.
    const refreshed = await sessionClient(url).refresh(signedUp.refreshToken as string);
    expect(refreshed).toMatchObject({ __typename: 'AuthPayload', deviceToken: null });
    expect((await run(url, SignInDocument, { input: { email: owner.email, password: PASSWORD } })).signIn).toMatchObject({
      deviceToken: expect.stringMatching(/^d1\./),
    });
  });
});

/** A browser: its cookie jar and the CSRF header a GraphQL client library sends, from one address. */
class Browser extends CookieClient {
  lastDeviceCookie(): string | undefined {
    return this.jar.received.filter((header) => header.startsWith(`${DEVICE_COOKIE}=`)).at(-1);
  }
}

describe.each(stores)('device tokens in cookie mode (%s store)', (store) => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer({ ...LIMITS, SESSION_COOKIE: 'true' }, { useRedis: store === 'Redis' });
    url = server.graphqlUrl;
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  it('sets the rekey_device cookie (HttpOnly, SameSite=Strict, a year) and reads it at the next sign-in', async () => {
    const email = uniqueEmail('device-cookie');
    const laptop = new Browser(url);
    const { body } = await laptop.send(SignUpDocument, { input: { email, password: PASSWORD } });
    const payload = expectType(body.data!.signUp, 'AuthPayload');
    expect(payload.deviceToken).toBeNull();
    expect(payload.refreshToken).toBeNull();
    const cookie = parseSetCookie(laptop.lastDeviceCookie()!);
    expect(cookie).toMatchObject({ name: DEVICE_COOKIE, httpOnly: true, sameSite: 'strict', path: '/graphql' });
    expect(cookie.value).toMatch(/^d1\./);
    expect(cookie.maxAge).toBe(365 * 86_400);
    expect(laptop.jar.value(REFRESH_COOKIE)).toBeDefined();

    await hammer(url, email);
    // A browser that never signed in here is refused; the laptop, with its cookie, is admitted.
    const stranger = new Browser(url);
    expect(stranger.jar.header(url)).toBeNull();
    expect((await stranger.send(SignInDocument, { input: { email, password: PASSWORD } })).body.data?.signIn.__typename).toBe('RateLimitedError');
    const signedIn = (await laptop.send(SignInDocument, { input: { email, password: PASSWORD } })).body.data?.signIn;
    expect(signedIn).toMatchObject({ __typename: 'AuthPayload', deviceToken: null });
    // Renewed for another year, same device.
    expect(parseSetCookie(laptop.lastDeviceCookie()!).value).toBe(cookie.value);

    // The device cookie makes a request cookie-carrying: without the CSRF header it is refused.
    const onlyDevice = new Browser(url);
    onlyDevice.jar.store(new Response(null, { headers: { 'set-cookie': laptop.lastDeviceCookie()! } }));
    expect((await onlyDevice.send(SignInDocument, { input: { email, password: PASSWORD } }, { csrf: false })).status).toBe(403);
  });

  it('clears the device cookie when signing out everywhere voids it', async () => {
    const email = uniqueEmail('device-cookie');
    const browser = new Browser(url);
    const signedUp = expectType((await browser.send(SignUpDocument, { input: { email, password: PASSWORD } })).body.data!.signUp, 'AuthPayload');
    const deviceToken = browser.jar.value(DEVICE_COOKIE)!;
    browser.token = signedUp.token;
    expect((await browser.send(SignOutDocument, { input: { everywhere: true } })).body.data?.signOut).toMatchObject({ __typename: 'SignOutSuccess' });
    expect(parseSetCookie(browser.lastDeviceCookie()!)).toMatchObject({ name: DEVICE_COOKIE, value: '', maxAge: 0 });
    // And the token is void on the server too, whoever presents it.
    await hammer(url, email);
    const replay = await run(url, SignInDocument, { input: { email, password: PASSWORD, deviceToken } }, { headers: { 'x-forwarded-for': uniqueAddress() } });
    expect(replay.signIn.__typename).toBe('RateLimitedError');
  });
});
