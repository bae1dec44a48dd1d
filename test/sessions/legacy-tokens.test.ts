import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { MeDocument, MySessionsDocument, RefreshSessionDocument, RevokeSessionDocument, SignOutDocument } from '../generated/graphql.ts';
import { changePassword, PASSWORD, signUp, uniqueEmail } from '../support/accounts.ts';
import { run } from '../support/graphql.ts';
import { startTestServer, TEST_SECRET, type TestServer } from '../support/server.ts';

// Tokens signed by the original login workflow (docs/migrating-from-the-original-workflow.md).
const LEGACY_JWT_SECRET = 'the-original-login-workflows-secret-32+';
const NEW_PASSWORD = 'Another-Horse-42';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const FIFTY_YEARS = 50 * 365 * 86_400;
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token as the original login signs it: HS256, the email in `sub` (or `email`), `exp` set, `iat` now unless given. */
function legacyToken(claims: Record<string, unknown>, secret = LEGACY_JWT_SECRET): string {
  const token = jwt.sign({ exp: nowSeconds() + 3600, ...claims }, secret, { algorithm: 'HS256' });
  // jsonwebtoken keeps a given iat and adds one otherwise; the void tests depend on it being there.
  if (typeof jwt.decode(token, { json: true })?.iat !== 'number') throw new Error('legacy test token without iat');
  return token;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ LEGACY_JWT_SECRET });
}, 60_000);
afterAll(() => server.close());

async function me(token: string, on = server) {
  return (await run(on.graphqlUrl, MeDocument, {}, { token })).me;
}

async function restChange(token: string, currentPassword = PASSWORD, newPassword = NEW_PASSWORD, on = server) {
  const response = await fetch(`${on.url}/api/v1/change-password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jwt: token, currentPassword, newPassword }),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

const INVALID = { status: 401, body: { success: false, error: 'Invalid or expired session.' } };

/** A timestamp column of the account's row; it must be set. */
async function accountTime(email: string, column: 'legacy_tokens_valid_after' | 'created_at'): Promise<Date> {
  const [row] = await server.rekey.orm.em
    .fork()
    .execute<Record<string, Date | string | null>[]>(`select "${column}" as "value" from "users" where "email" = ?`, [email]);
  if (row?.value == null) throw new Error(`${column} is not set`);
  return new Date(row.value);
}

const validAfter = (email: string) => accountTime(email, 'legacy_tokens_valid_after');

/**
 * An account as the original login knows it: a row of the adopted table, which Rekey did not insert
 * (its tokens may predate anything Rekey did). Made by sign-up, then cleared of the void Rekey sets on
 * the rows it inserts.
 */
async function adoptedAccount() {
  const account = await signUp(server.graphqlUrl);
  await server.rekey.orm.em.fork().execute(`update "users" set "legacy_tokens_valid_after" = null where "email" = ?`, [account.email]);
  return account;
}

describe('tokens from the original login', () => {
  it('are accepted by GraphQL (me) and the REST route, with the email in sub or email', async () => {
    const account = await signUp(server.graphqlUrl);
    expect((await me(legacyToken({ sub: account.email })))?.email).toBe(account.email);
    expect((await me(legacyToken({ email: account.email.toUpperCase() })))?.id).toBe(account.user.id);
    expect(await restChange(legacyToken({ sub: account.email }))).toEqual({ status: 200, body: { success: true, message: 'Password changed successfully.' } });
  });

  it('answer "Invalid or expired session." with 400 for a validly signed token whose account does not exist', async () => {
    expect(await restChange(legacyToken({ sub: uniqueEmail('nobody') }))).toEqual({ status: 400, body: { success: false, error: 'Invalid or expired session.' } });
  });

  it.each([
    ['expired', (email: string) => jwt.sign({ sub: email, exp: nowSeconds() - 5 }, LEGACY_JWT_SECRET, { algorithm: 'HS256' })],
    ['signed with another secret', (email: string) => legacyToken({ sub: email }, 'not-the-original-secret-but-32-bytes-long')],
    ['signed with the Rekey secret', (email: string) => legacyToken({ sub: email }, TEST_SECRET)],
    ['without exp', (email: string) => jwt.sign({ sub: email }, LEGACY_JWT_SECRET, { algorithm: 'HS256' })],
    ['alg none', (email: string) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: email, exp: nowSeconds() + 60 })}.`],
    [
      'RS256 with the secret as the key',
      (email: string) => {
        const signed = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: email, exp: nowSeconds() + 60 })}`;
        return `${signed}.${createHmac('sha256', LEGACY_JWT_SECRET).update(signed).digest('base64url')}`;
      },
    ],
    ['HS512', (email: string) => jwt.sign({ sub: email, exp: nowSeconds() + 60 }, LEGACY_JWT_SECRET, { algorithm: 'HS512' })],
    ['huge (validly signed)', (email: string) => legacyToken({ sub: email, padding: 'x'.repeat(6000) })],
    // A future iat would outlive every revocation (it stays "after" it); exp 50 years out must not make a token immortal.
    ['issued an hour in the future', (email: string) => legacyToken({ sub: email, iat: nowSeconds() + 3600, exp: nowSeconds() + FIFTY_YEARS })],
    ['older than LEGACY_JWT_MAX_AGE (24 h)', (email: string) => legacyToken({ sub: email, iat: nowSeconds() - 25 * 3600, exp: nowSeconds() + FIFTY_YEARS })],
    [
      'without iat while LEGACY_JWT_MAX_AGE is set',
      (email: string) => jwt.sign({ sub: email, exp: nowSeconds() + FIFTY_YEARS }, LEGACY_JWT_SECRET, { algorithm: 'HS256', noTimestamp: true }),
    ],
  ])('are refused when %s', async (_name, make) => {
    const account = await signUp(server.graphqlUrl);
    const token = make(account.email);
    expect(await me(token)).toBeNull();
    expect(await restChange(token)).toEqual(INVALID);
    // The refused attempt changed nothing.
    expect((await me(account.token))?.email).toBe(account.email);
  });

  it('are accepted with an iat a little ahead (clock skew) or up to LEGACY_JWT_MAX_AGE ago', async () => {
    const account = await adoptedAccount();
    expect((await me(legacyToken({ sub: account.email, iat: nowSeconds() + 30 })))?.email).toBe(account.email);
    expect((await me(legacyToken({ sub: account.email, iat: nowSeconds() - 23 * 3600, exp: nowSeconds() + FIFTY_YEARS })))?.email).toBe(account.email);
  });

  it("are void from the account's password change, also one issued in the same second", async () => {
    const account = await adoptedAccount();
    const before = legacyToken({ sub: account.email, iat: nowSeconds() - 5 });
    expect((await me(before))?.email).toBe(account.email);
    const changed = await changePassword(server.graphqlUrl, account.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(changed.__typename).toBe('ChangePasswordSuccess');
    const changedAtSecond = Math.floor((await validAfter(account.email)).getTime() / 1000);

    expect(await me(before)).toBeNull();
    expect(await restChange(before, NEW_PASSWORD, 'Third-Horse-77')).toEqual(INVALID);
    const sameSecond = legacyToken({ sub: account.email, iat: changedAtSecond });
    expect(await me(sameSecond)).toBeNull();
    expect(await restChange(sameSecond, NEW_PASSWORD, 'Third-Horse-77')).toEqual(INVALID);
    // A token the original login issues after the change works (the void is not wider than asked).
    expect((await me(legacyToken({ sub: account.email, iat: changedAtSecond + 1 })))?.email).toBe(account.email);
  });

  it('are void after a change over the REST route and after "sign out everywhere"', async () => {
    const account = await adoptedAccount();
    const token = legacyToken({ sub: account.email, iat: nowSeconds() - 5 });
    expect(await restChange(token)).toEqual({ status: 200, body: { success: true, message: 'Password changed successfully.' } });
    expect(await me(token)).toBeNull();

    const other = await adoptedAccount();
    const otherToken = legacyToken({ email: other.email, iat: nowSeconds() - 5 });
    expect((await me(otherToken))?.email).toBe(other.email);
    const { signOut } = await run(server.graphqlUrl, SignOutDocument, { input: { everywhere: true } }, { token: other.token });
    expect(signOut).toEqual({ __typename: 'SignOutSuccess', success: true, revokedSessions: 1 });
    expect(await me(otherToken)).toBeNull();
  });

  it('are void for an account Rekey created after they were issued (an earlier account with the address), not after', async () => {
    // Sign-up, an admin or an import inserts the row: nothing the original login issued before it was for this account.
    const account = await signUp(server.graphqlUrl);
    const createdAtSecond = Math.floor((await accountTime(account.email, 'created_at')).getTime() / 1000);
    // Just before the second of creation, so that the second itself is after it.
    expect((await validAfter(account.email)).getTime()).toBe(createdAtSecond * 1000 - 1);
    const earlier = legacyToken({ sub: account.email, iat: createdAtSecond - 1 });
    expect(await me(earlier)).toBeNull();
    expect(await restChange(earlier)).toEqual(INVALID);
    // Issued in the second of creation or later: the original login signed this account in.
    expect((await me(legacyToken({ sub: account.email, iat: createdAtSecond })))?.email).toBe(account.email);
    expect((await me(legacyToken({ sub: account.email })))?.email).toBe(account.email);
  });

  it('belong to no session: not listed, cannot refresh, sign out or revoke', async () => {
    const account = await signUp(server.graphqlUrl);
    const token = legacyToken({ sub: account.email });
    const listed = (await run(server.graphqlUrl, MySessionsDocument, {}, { token })).me;
    // Only the sign-up's session; none is the caller's.
    expect(listed?.sessions.map((session) => [session.id, session.current])).toEqual([[account.session.id, false]]);

    const { refreshSession } = await run(server.graphqlUrl, RefreshSessionDocument, { input: { refreshToken: token } });
    expect(refreshSession.__typename).toBe('InvalidSessionError');
    const { signOut } = await run(server.graphqlUrl, SignOutDocument, { input: { everywhere: false } }, { token });
    expect(signOut.__typename).toBe('InvalidSessionError');
    const { revokeSession } = await run(server.graphqlUrl, RevokeSessionDocument, { input: { sessionId: account.session.id } }, { token });
    expect(revokeSession.__typename).toBe('InvalidSessionError');
    // Nothing ended.
    expect((await me(account.token))?.email).toBe(account.email);
    expect((await me(token))?.email).toBe(account.email);
  });

  it("GraphQL changePassword starts a fresh session for the caller (it proved the password), ends the others and voids the legacy token", async () => {
    const account = await adoptedAccount();
    const token = legacyToken({ sub: account.email, iat: nowSeconds() - 5 });
    const changed = await changePassword(server.graphqlUrl, token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    if (changed.__typename !== 'ChangePasswordSuccess') throw new Error(`Expected ChangePasswordSuccess, got ${JSON.stringify(changed)}`);
    expect(changed.message).toBe('Password changed successfully.');
    expect((await me(changed.token))?.email).toBe(account.email);
    expect(await me(token)).toBeNull();
    expect(await me(account.token)).toBeNull();
    const listed = (await run(server.graphqlUrl, MySessionsDocument, {}, { token: changed.token })).me;
    expect(listed?.sessions.map((session) => session.current)).toEqual([true]);
    const { refreshSession } = await run(server.graphqlUrl, RefreshSessionDocument, { input: { refreshToken: changed.refreshToken } });
    expect(refreshSession.__typename).toBe('AuthPayload');
  });

  it('with equal fields, verify the current password first: wrong is "incorrect", right is "must be different"', async () => {
    const account = await signUp(server.graphqlUrl);
    const token = legacyToken({ sub: account.email });
    expect(await changePassword(server.graphqlUrl, token, { currentPassword: 'short', newPassword: 'short' })).toMatchObject({
      __typename: 'IncorrectPasswordError',
    });
    expect(await changePassword(server.graphqlUrl, token, { currentPassword: PASSWORD, newPassword: PASSWORD })).toMatchObject({
      __typename: 'PasswordReusedError',
      message: 'New password must be different from current password.',
    });
  });
});

describe('without LEGACY_JWT_SECRET', () => {
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
  }, 60_000);
  afterAll(() => plain.close());

  it('refuses tokens from the original login like forged ones', async () => {
    const account = await signUp(plain.graphqlUrl);
    const token = legacyToken({ sub: account.email });
    expect(await me(token, plain)).toBeNull();
    expect(await restChange(token, PASSWORD, NEW_PASSWORD, plain)).toEqual(INVALID);
  });
});
