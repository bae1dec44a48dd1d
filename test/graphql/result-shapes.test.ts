import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PASSWORD, changePassword, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { SignUpDocument } from '../generated/graphql.ts';
import { run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let url: string;
beforeAll(async () => {
  server = await startTestServer({ CHANGE_PASSWORD_RATE_LIMIT: '4' });
  url = server.graphqlUrl;
}, 180_000);
afterAll(() => server?.close(), 60_000);

/** Replaces what differs per run (tokens, instants, ids, emails, waits) with placeholders. */
function stable(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/"eyJ[\w-]+\.[\w-]+\.[\w-]+"/g, '"<token>"')
      .replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"<instant>"')
      .replace(/"id":"\d+"/g, '"id":"<id>"')
      .replace(/"id":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"id":"<session id>"')
      .replace(/"refreshToken":"[\w-]{43}"/g, '"refreshToken":"<refresh token>"')
      .replace(/"deviceToken":"d1\.[\w.-]+"/g, '"deviceToken":"<device token>"')
      .replace(/"[\w.+-]+@example\.com"/g, '"<email>"')
      .replace(/"retryAfterSeconds":\d+/g, '"retryAfterSeconds":"<seconds>"')
      .replace(/in \d+ seconds/g, 'in <seconds> seconds'),
  );
}

describe('one result of every union member, as JSON', () => {
  it('pins the shapes of SignUpResult and SignInResult', async () => {
    const email = uniqueEmail();
    const results = {
      AuthPayload: await signUp(url, email).then(({ email: _e, password: _p, ...payload }) => payload),
      EmailTakenError: (await run(url, SignUpDocument, { input: { email, password: PASSWORD } })).signUp,
      InvalidCredentialsError: await signIn(url, email, 'Wrong-Pass-123'),
    };
    expect(stable(results)).toMatchSnapshot();
  });

  it('pins the shapes of ChangePasswordResult', async () => {
    const account = await signUp(url);
    const results: Record<string, unknown> = {
      ValidationError: await changePassword(url, account.token, { currentPassword: '', newPassword: 'x' }),
      InvalidSessionError: await changePassword(url, null, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }),
      IncorrectPasswordError: await changePassword(url, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' }),
      WeakPasswordError: await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'weak' }),
      PasswordReusedError: await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: PASSWORD }),
    };
    const success = await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' });
    results.ChangePasswordSuccess = success;
    const token = success.__typename === 'ChangePasswordSuccess' ? success.token : null;
    // Validation and session failures are not counted: this is the fifth counted attempt, over the limit of four.
    results.RateLimitedError = await changePassword(url, token, { currentPassword: 'Brand-New-Pass-7', newPassword: 'Other-Pass-42!' });
    expect(Object.entries(results).map(([member, result]) => [member, (result as { __typename: string }).__typename])).toEqual(
      Object.keys(results).map((member) => [member, member]),
    );
    expect(stable(results)).toMatchSnapshot();
  });
});
