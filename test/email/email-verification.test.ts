import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  MeWithVerificationDocument,
  RequestEmailVerificationDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  VerifyEmailDocument,
} from '../generated/graphql.ts';
import { PASSWORD, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { mailsTo, waitForLink } from '../support/email-links.ts';
import { expectType, run } from '../support/graphql.ts';
import { LINKS, startMailTestServer, type MailTestServer } from '../support/mail-server.ts';

// docs/api/email-address.md: verification in each EMAIL_VERIFICATION mode, every link read from a real email.
const VERIFY_SUBJECT = 'Verify your email address';
const REQUESTED = {
  __typename: 'RequestEmailVerificationSuccess',
  success: true,
  message: 'If that address has an account waiting for verification, we sent it a new link.',
};
const VERIFIED = { __typename: 'VerifyEmailSuccess', success: true, message: 'Your email address is verified.' };
const INVALID_LINK = { __typename: 'InvalidEmailTokenError', code: 'INVALID_EMAIL_TOKEN', message: 'This email link is invalid or has expired.' };

const seenTokens = new Set<string>();
const seen = (token: string) => {
  seenTokens.add(token);
  return token;
};

function mode(verification: 'off' | 'optional' | 'required') {
  let server: MailTestServer;
  const state = {
    get server() {
      return server;
    },
    url: () => server.graphqlUrl,
    verifyLink: async (email: string, count = 1) => seen((await waitForLink(server.smtp, email, LINKS.EMAIL_VERIFICATION_URL, { count })).token),
    verify: async (token: string) => (await run(server.graphqlUrl, VerifyEmailDocument, { input: { token } })).verifyEmail,
    request: async (email: string) => (await run(server.graphqlUrl, RequestEmailVerificationDocument, { input: { email } })).requestEmailVerification,
    me: async (token: string) => (await run(server.graphqlUrl, MeWithVerificationDocument, {}, { token })).me,
  };
  beforeAll(async () => {
    server = await startMailTestServer({ EMAIL_VERIFICATION: verification });
  });
  afterAll(async () => {
    // No link's token ever reached the log, at the most verbose level.
    for (const token of seenTokens) expect(server.logLines.join('\n')).not.toContain(token);
    await server.stop();
  });
  return state;
}

/** Waits for a reset email to `email` (asked for now): emails are sent in order, so an earlier one would have arrived by then. */
async function resetMailArrives(server: MailTestServer, email: string): Promise<string> {
  await run(server.graphqlUrl, RequestPasswordResetDocument, { input: { email } });
  return seen((await waitForLink(server.smtp, email, LINKS.PASSWORD_RESET_URL)).token);
}

describe('EMAIL_VERIFICATION=optional (the default)', () => {
  const m = mode('optional');

  it('sign-up mails a link; following it verifies the address once; signing in never needed it', async () => {
    const account = await signUp(m.url());
    expect(await m.me(account.token)).toMatchObject({ email: account.email, emailVerified: false });
    const token = await m.verifyLink(account.email);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expectType(await signIn(m.url(), account.email, PASSWORD), 'AuthPayload');

    expect(await m.verify(token)).toEqual(VERIFIED);
    expect(await m.me(account.token)).toMatchObject({ emailVerified: true });
    expect(await m.verify(token)).toEqual(INVALID_LINK);
  });

  it('the same answer for every address; only an unverified account gets a fresh link, which replaces the first', async () => {
    const unverified = await signUp(m.url());
    const first = await m.verifyLink(unverified.email);
    const verified = await signUp(m.url());
    expect(await m.verify(await m.verifyLink(verified.email))).toEqual(VERIFIED);
    const unknown = uniqueEmail('nobody');

    for (const email of [unverified.email, verified.email, unknown]) expect(await m.request(email)).toEqual(REQUESTED);
    const second = await m.verifyLink(unverified.email, 2);
    expect(second).not.toBe(first);
    // Emails go out in order: once this reset email is here, one sent for the requests above would be too.
    await resetMailArrives(m.server, verified.email);
    expect(mailsTo(m.server.smtp, verified.email, VERIFY_SUBJECT)).toHaveLength(1);
    expect(mailsTo(m.server.smtp, unknown)).toHaveLength(0);

    expect(await m.verify(first)).toEqual(INVALID_LINK);
    expect(await m.verify(second)).toEqual(VERIFIED);
  });

  it('links single use under concurrency: of five uses at once, one verifies', async () => {
    const account = await signUp(m.url());
    const token = await m.verifyLink(account.email);
    const results = await Promise.all(Array.from({ length: 5 }, () => m.verify(token)));
    expect(results.filter((result) => result.__typename === 'VerifyEmailSuccess')).toHaveLength(1);
    expect(results.filter((result) => result.__typename === 'InvalidEmailTokenError')).toHaveLength(4);
  });

  it('a forged or malformed token is refused the same way', async () => {
    expect(await m.verify('not-a-token')).toEqual(INVALID_LINK);
    expect(await m.verify('A'.repeat(43))).toEqual(INVALID_LINK);
  });

  it('a completed reset proves the address', async () => {
    const account = await signUp(m.url());
    await m.verifyLink(account.email);
    const resetToken = await resetMailArrives(m.server, account.email);
    expectType((await run(m.url(), ResetPasswordDocument, { input: { token: resetToken, newPassword: 'Fresh-Start-2026' } })).resetPassword, 'ResetPasswordSuccess');
    const signedIn = expectType(await signIn(m.url(), account.email, 'Fresh-Start-2026'), 'AuthPayload');
    expect(await m.me(signedIn.token)).toMatchObject({ emailVerified: true });
  });
});

describe('EMAIL_VERIFICATION=required', () => {
  const m = mode('required');

  it('a correct sign-in of an unverified account answers EmailNotVerifiedError and mails a fresh link; a wrong one stays InvalidCredentialsError', async () => {
    const account = await signUp(m.url());
    const first = await m.verifyLink(account.email);

    expect(await signIn(m.url(), account.email, 'Wrong-Password-1')).toMatchObject({ __typename: 'InvalidCredentialsError' });
    expect(await signIn(m.url(), account.email, PASSWORD)).toEqual({
      __typename: 'EmailNotVerifiedError',
      code: 'EMAIL_NOT_VERIFIED',
      message: 'Verify your email address to sign in: we sent you a new link.',
    });
    const fresh = await m.verifyLink(account.email, 2);
    expect(fresh).not.toBe(first);
    expect(mailsTo(m.server.smtp, account.email, VERIFY_SUBJECT)).toHaveLength(2);

    expect(await m.verify(first)).toEqual(INVALID_LINK);
    expect(await m.verify(fresh)).toEqual(VERIFIED);
    expectType(await signIn(m.url(), account.email, PASSWORD), 'AuthPayload');
  });

  it('an unknown email still answers InvalidCredentialsError', async () => {
    expect(await signIn(m.url(), uniqueEmail('nobody'), PASSWORD)).toMatchObject({ __typename: 'InvalidCredentialsError' });
  });
});

describe('EMAIL_VERIFICATION=off', () => {
  const m = mode('off');

  it('sign-up and requests mail no link; the address stays unverified until a reset proves it', async () => {
    const account = await signUp(m.url());
    expect(await m.request(account.email)).toEqual(REQUESTED);
    // Emails go out in order: once the reset email is here, a verification email sent before it would be too.
    await resetMailArrives(m.server, account.email);
    expect(mailsTo(m.server.smtp, account.email, VERIFY_SUBJECT)).toHaveLength(0);
    expect(await m.me(account.token)).toMatchObject({ emailVerified: false });
    expectType(await signIn(m.url(), account.email, PASSWORD), 'AuthPayload');
  });
});

describe('configuration', () => {
  it('EMAIL_VERIFICATION=required without EMAIL_VERIFICATION_URL is refused at start', async () => {
    const { loadConfig } = await import('../../src/config/config.ts');
    const { testEnv } = await import('../support/server.ts');
    expect(() => loadConfig(testEnv({ EMAIL_VERIFICATION: 'required' }))).toThrow(
      'Invalid configuration: EMAIL_VERIFICATION=required needs SMTP_URL and EMAIL_VERIFICATION_URL',
    );
  });
});
