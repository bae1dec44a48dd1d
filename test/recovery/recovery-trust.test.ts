import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { DEVICE_COOKIE } from '../../src/graphql/session-cookie.ts';
import { RequestPasswordResetDocument, ResetPasswordDocument, SecureAccountDocument, SignInDocument } from '../generated/graphql.ts';
import { PASSWORD, changePassword, signUp } from '../support/accounts.ts';
import { fromAddress, uniqueAddress } from '../support/addresses.ts';
import { CookieClient } from '../support/cookie-client.ts';
import { waitForLink } from '../support/email-links.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

// docs/design/lockout-and-devices.md, "recovery trusts the browser that
// recovered": an attacker at one address keeps blocking the account, yet the
// owner who completed a reset signs in from that browser; and a completed
// recovery leaves no older emailed link that could undo it.
const RESET_URL = 'https://app.example.com/account#reset={token}';
const SECURE_URL = 'https://app.example.com/account#secure={token}';
const NEW_PASSWORD = 'Recovered-Pass-2026';
/** One attacker address is allowed 20 guesses a minute here, enough to block the account (5 failures) twice. */
const LIMITS = { TRUST_PROXY: '1', SIGN_IN_RATE_LIMIT: '20', SIGN_IN_EMAIL_RATE_LIMIT: '60', LOCKOUT_THRESHOLD: '5', LOCKOUT_BASE: '15m' };

// Operations that select no deviceToken: what a browser in cookie mode sends (the cookie carries it), and what
// the test of the links needs, which is about the links alone.
const ResetOnly: TypedDocumentNode<{ resetPassword: { __typename: string } }, { input: { token: string; newPassword: string } }> = parse(
  'mutation ResetPassword($input: ResetPasswordInput!) { resetPassword(input: $input) { __typename } }',
);
const SecureOnly: TypedDocumentNode<{ secureAccount: { __typename: string } }, { input: { token: string } }> = parse(
  'mutation SecureAccount($input: SecureAccountInput!) { secureAccount(input: $input) { __typename } }',
);

const smtp = new SmtpSink();
beforeAll(() => smtp.start());
afterAll(() => smtp.stop());

async function startServer(extra: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer({
    ...LIMITS,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Rekey <no-reply@example.com>',
    PASSWORD_RESET_URL: RESET_URL,
    ACCOUNT_SECURE_URL: SECURE_URL,
    OUTBOX_POLL_INTERVAL: '50ms',
    ...extra,
  });
}

/** Six wrong guesses from one address: five block the account, the sixth is refused. */
async function attack(url: string, attacker: string, email: string): Promise<string[]> {
  const answers: string[] = [];
  for (let attempt = 0; attempt < 6; attempt += 1) {
    answers.push((await run(url, SignInDocument, { input: { email, password: `Wrong-Guess-${attempt}` } }, fromAddress(attacker))).signIn.__typename);
  }
  return answers;
}

/** Asks for a reset and returns the token of the `count`-th reset link emailed to `email`. */
async function resetLink(url: string, email: string, count: number): Promise<string> {
  await run(url, RequestPasswordResetDocument, { input: { email } }, fromAddress(uniqueAddress()));
  return (await waitForLink(smtp, email, RESET_URL, { count })).token;
}

describe('a completed recovery trusts the browser that completed it (body mode)', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startServer();
    url = server.graphqlUrl;
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  const signInFrom = async (address: string, input: { email: string; password: string; deviceToken?: string | null }) =>
    (await run(url, SignInDocument, { input }, fromAddress(address))).signIn;

  it("admits the owner's sign-in after a reset while one address keeps blocking the account", async () => {
    const owner = await signUp(url);
    const attacker = uniqueAddress();
    const home = uniqueAddress();
    expect(await attack(url, attacker, owner.email)).toEqual([...Array(5).fill('InvalidCredentialsError'), 'RateLimitedError']);

    const token = await resetLink(url, owner.email, 1);
    const reset = expectType((await run(url, ResetPasswordDocument, { input: { token, newPassword: NEW_PASSWORD } }, fromAddress(home))).resetPassword, 'ResetPasswordSuccess');
    expect(reset.deviceToken).toMatch(/^d1\./);

    // The reset lifted the block; the attacker's address blocks the account again at once.
    expect(await attack(url, attacker, owner.email)).toEqual([...Array(5).fill('InvalidCredentialsError'), 'RateLimitedError']);
    // A browser that did not recover is refused; the one that did is admitted past the block.
    expect((await signInFrom(uniqueAddress(), { email: owner.email, password: NEW_PASSWORD })).__typename).toBe('RateLimitedError');
    const admitted = expectType(await signInFrom(home, { email: owner.email, password: NEW_PASSWORD, deviceToken: reset.deviceToken }), 'AuthPayload');
    expect(admitted.deviceToken).toBe(reset.deviceToken);
  });

  it('trusts the browser that said "This wasn\'t me" too', async () => {
    const owner = await signUp(url);
    expectType(await changePassword(url, owner.token, { currentPassword: PASSWORD, newPassword: 'Intruders-Pass-6' }), 'ChangePasswordSuccess');
    const { token } = await waitForLink(smtp, owner.email, SECURE_URL, { count: 1 });
    const secured = expectType((await run(url, SecureAccountDocument, { input: { token } })).secureAccount, 'SecureAccountSuccess');
    expect(secured.deviceToken).toMatch(/^d1\./);
  });

  it("voids every other unused link: an older \"This wasn't me\" link cannot secure the account again after the owner's reset", async () => {
    const owner = await signUp(url);
    expectType(await changePassword(url, owner.token, { currentPassword: PASSWORD, newPassword: 'Changed-Once-7' }), 'ChangePasswordSuccess');
    const older = (await waitForLink(smtp, owner.email, SECURE_URL, { count: 1 })).token;
    const signedIn = expectType(await signInFrom(uniqueAddress(), { email: owner.email, password: 'Changed-Once-7' }), 'AuthPayload');
    expectType(await changePassword(url, signedIn.token, { currentPassword: 'Changed-Once-7', newPassword: 'Changed-Twice-8' }), 'ChangePasswordSuccess');
    const newer = (await waitForLink(smtp, owner.email, SECURE_URL, { count: 2 })).token;

    expect((await run(url, SecureOnly, { input: { token: newer } })).secureAccount.__typename).toBe('SecureAccountSuccess');
    // The ACCOUNT_SECURED email carries a fresh reset link; the owner chooses a new password with it.
    const resetToken = (await waitForLink(smtp, owner.email, RESET_URL, { count: 1 })).token;
    expect((await run(url, ResetOnly, { input: { token: resetToken, newPassword: NEW_PASSWORD } })).resetPassword.__typename).toBe('ResetPasswordSuccess');

    const replay = (await run(url, SecureOnly, { input: { token: older } })).secureAccount.__typename;
    console.info(`an older "This wasn't me" link after the owner's recovery: ${replay}`);
    expect(replay).toBe('InvalidResetTokenError');
    expect((await signInFrom(uniqueAddress(), { email: owner.email, password: NEW_PASSWORD })).__typename).toBe('AuthPayload');
  });
});

describe('a completed recovery trusts the browser that completed it (cookie mode)', () => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startServer({ SESSION_COOKIE: 'true' });
    url = server.graphqlUrl;
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  it("sets the device cookie on the reset, and the owner's browser signs in while one address keeps blocking the account", async () => {
    const owner = await signUp(url);
    const attacker = uniqueAddress();
    const browser = new CookieClient(url);
    await attack(url, attacker, owner.email);
    const token = await resetLink(url, owner.email, 1);
    const reset = await browser.send(ResetOnly, { input: { token, newPassword: NEW_PASSWORD } });
    expect(reset.body.data?.resetPassword.__typename).toBe('ResetPasswordSuccess');

    await attack(url, attacker, owner.email);
    const stranger = new CookieClient(url);
    expect((await stranger.send(SignInDocument, { input: { email: owner.email, password: NEW_PASSWORD } })).body.data?.signIn.__typename).toBe('RateLimitedError');
    const outcome = (await browser.send(SignInDocument, { input: { email: owner.email, password: NEW_PASSWORD } })).body.data?.signIn.__typename;
    console.info(`the owner's sign-in after a completed reset while one address attacks: ${outcome}`);
    expect(outcome).toBe('AuthPayload');
    expect(browser.jar.value(DEVICE_COOKIE)).toMatch(/^d1\./);
  });
});
