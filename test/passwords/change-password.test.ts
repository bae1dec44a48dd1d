import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import { MeDocument } from '../generated/graphql.ts';
import { PASSWORD, changePassword, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let url: string;
beforeAll(async () => {
  server = await startTestServer();
  url = server.graphqlUrl;
});
afterAll(() => server.close());

const me = async (token: string) => (await run(url, MeDocument, {}, { token })).me;

describe('changePassword: the contract table', () => {
  it('succeeds with the exact message, a fresh token and passwordChangedAt set', async () => {
    const account = await signUp(url);
    const result = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }), 'ChangePasswordSuccess');
    expect(result).toMatchObject({ success: true, message: 'Password changed successfully.', user: { email: account.email } });
    expect(result.token).not.toBe(account.token);
    expect(Date.parse(result.user.passwordChangedAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect((await me(result.token))?.email).toBe(account.email);
    expect(expectType(await signIn(url, account.email, 'Brand-New-Pass-7'), 'AuthPayload').user.email).toBe(account.email);
    expect(expectType(await signIn(url, account.email, PASSWORD), 'InvalidCredentialsError').message).toBe('Invalid email or password.');
  });

  it.each([
    ['no token', null],
    ['a malformed token', 'not-a-jwt'],
    ['a token signed with another secret', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwic3YiOjB9.c2lnbmF0dXJl'],
  ])('answers InvalidSessionError for %s', async (_case, token) => {
    const result = await changePassword(url, token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' });
    expect(expectType(result, 'InvalidSessionError')).toMatchObject({ code: 'INVALID_SESSION', message: 'Invalid or expired session.' });
  });

  it('answers InvalidSessionError when the user no longer exists', async () => {
    const account = await signUp(url);
    await server.rekey.orm.em.fork().execute('delete from "users" where "id" = ?', [Number(account.user.id)]);
    const result = await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' });
    expect(expectType(result, 'InvalidSessionError').message).toBe('Invalid or expired session.');
  });

  it('answers IncorrectPasswordError for a wrong current password and changes nothing', async () => {
    const account = await signUp(url);
    const result = await changePassword(url, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' });
    expect(expectType(result, 'IncorrectPasswordError')).toMatchObject({ code: 'INCORRECT_PASSWORD', message: 'Current password is incorrect.' });
    expect((await me(account.token))?.passwordChangedAt).toBeNull();
    expect(await signIn(url, account.email, PASSWORD)).toMatchObject({ __typename: 'AuthPayload' });
  });

  it('answers PasswordReusedError when the new password is the current one', async () => {
    const account = await signUp(url);
    const result = await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(expectType(result, 'PasswordReusedError')).toMatchObject({
      code: 'PASSWORD_REUSED',
      message: 'New password must be different from current password.',
    });
    expect((await me(account.token))?.passwordChangedAt).toBeNull();
  });

  it.each([
    ['Aa1!', 'MIN_LENGTH', 'Password must be at least 8 characters'],
    ['lowercase-only-1', 'UPPERCASE', 'Password must contain at least one uppercase letter'],
    ['UPPERCASE-ONLY-1', 'LOWERCASE', 'Password must contain at least one lowercase letter'],
    ['No-Digits-Here!', 'DIGIT', 'Password must contain at least one number'],
    ['NoSpecials123x', 'SPECIAL', 'Password must contain at least one special character'],
    ['P@ssw0rd', 'COMMON', 'Password is too common'],
  ])('refuses %p as %s with the exact message', async (newPassword, rule, message) => {
    const account = await signUp(url);
    const error = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword }), 'WeakPasswordError');
    expect(error).toMatchObject({ code: 'WEAK_PASSWORD', message });
    expect(error.violations).toEqual([{ rule, message }]);
  });

  it('lists every broken rule and reports the first: "weak"', async () => {
    const account = await signUp(url);
    const error = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'weak' }), 'WeakPasswordError');
    expect(error.message).toBe('Password must be at least 8 characters');
    expect(error.violations.map((v) => v.rule)).toEqual(['MIN_LENGTH', 'UPPERCASE', 'DIGIT', 'SPECIAL']);
  });

  it("refuses a password containing the email's local part", async () => {
    const account = await signUp(url, uniqueEmail('margaret'));
    const local = account.email.split('@')[0] ?? '';
    const error = expectType(
      await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: `X1!${local.toUpperCase()}` }),
      'WeakPasswordError',
    );
    expect(error.violations.map((v) => v.rule)).toContain('CONTAINS_EMAIL');
  });

  it('answers ValidationError naming each malformed field, before looking at the session', async () => {
    const result = await changePassword(url, null, { currentPassword: '', newPassword: 'x'.repeat(1025) });
    const error = expectType(result, 'ValidationError');
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.fieldErrors.map((f) => f.path)).toEqual([['currentPassword'], ['newPassword']]);
  });
});

describe('changePassword: Unicode and the 72-byte bound', () => {
  it('accepts a Unicode password such as Ünïcödé~9x and signs in with it', async () => {
    const account = await signUp(url);
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Ünïcödé~9x' }), 'ChangePasswordSuccess');
    expect(await signIn(url, account.email, 'Ünïcödé~9x')).toMatchObject({ __typename: 'AuthPayload' });
  });

  it('treats NFC and NFD spellings as one password', async () => {
    const account = await signUp(url);
    const composed = 'Crème-Brûlée-42';
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: composed.normalize('NFD') }), 'ChangePasswordSuccess');
    expect(await signIn(url, account.email, composed.normalize('NFC'))).toMatchObject({ __typename: 'AuthPayload' });
  });

  it('accepts exactly 72 bytes of multi-byte characters and refuses 73 (bcrypt would ignore the rest)', async () => {
    // 17 emoji (4 bytes each) = 68 bytes; "Aa1" = 3 more → 71; one more ASCII → 72, two → 73.
    const base = `${'😀'.repeat(17)}Aa1`;
    const account = await signUp(url);
    const refused = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: `${base}xy` }), 'WeakPasswordError');
    expect(refused.violations).toEqual([{ rule: 'MAX_LENGTH', message: 'Password must be at most 72 bytes (UTF-8)' }]);

    const accepted = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: `${base}x` }), 'ChangePasswordSuccess');
    expect(accepted.success).toBe(true);
    // bcrypt alone cannot tell these apart; the bound is what keeps them distinct.
    expect(await bcrypt.compare(`${'😀'.repeat(18)}X`, await bcrypt.hash(`${'😀'.repeat(18)}Y`, 4))).toBe(true);
  });
});

describe('changePassword: reuse past the 72-byte mark', () => {
  it('treats a current password with junk past byte 72 as the same password', async () => {
    const seventyTwo = `${'😀'.repeat(17)}Aa1x`;
    const account = await signUp(url);
    const changed = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: seventyTwo }), 'ChangePasswordSuccess');
    // bcrypt verifies the longer input (it reads 72 bytes); the reuse check must see the same.
    const result = await changePassword(url, changed.token, { currentPassword: `${seventyTwo}-junk`, newPassword: seventyTwo });
    expect(result.__typename).toBe('PasswordReusedError');
  });
});

describe('changePassword: sessions', () => {
  it("revokes the caller's old token and a second session issued in the same second; the fresh token works", async () => {
    const account = await signUp(url);
    const second = expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    const issuedAt = Math.floor(Date.now() / 1000);
    const result = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }), 'ChangePasswordSuccess');
    // The second token was issued within the same second as the change (timestamps alone could not revoke it).
    expect(Math.floor(Date.parse(result.expiresAt) / 1000) - server.config.jwtTtlSeconds).toBeLessThanOrEqual(issuedAt + 1);

    expect(await me(account.token)).toBeNull();
    expect(await me(second.token)).toBeNull();
    expect(expectType(await changePassword(url, second.token, { currentPassword: 'Brand-New-Pass-7', newPassword: 'Other-Pass-42!' }), 'InvalidSessionError')).toBeTruthy();
    expect((await me(result.token))?.email).toBe(account.email);
  });

  it('keeps other sessions with revokeOtherSessions: false', async () => {
    const account = await signUp(url);
    const second = expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    const result = expectType(
      await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7', revokeOtherSessions: false }),
      'ChangePasswordSuccess',
    );
    expect((await me(second.token))?.email).toBe(account.email);
    // The caller's own session is renewed either way: its old token is dead, the fresh one works.
    expect(await me(account.token)).toBeNull();
    expect((await me(result.token))?.email).toBe(account.email);
  });
});

describe('changePassword: concurrency', () => {
  it.each([1, 2, 3, 4, 5])('of three concurrent changes from the same password exactly one wins (round %i)', async () => {
    const account = await signUp(url);
    // One session per change: the winner renews its own session, so a loser sharing it could be refused for that instead.
    const second = expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    const third = expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    const tokens = [account.token, second.token, third.token];
    const candidates = ['Winner-One-111!', 'Winner-Two-222!', 'Winner-Three-333!'];
    const results = await Promise.all(
      candidates.map((newPassword, index) =>
        changePassword(url, tokens[index] ?? '', { currentPassword: PASSWORD, newPassword, revokeOtherSessions: false }),
      ),
    );
    const winners = candidates.filter((_, index) => results[index]?.__typename === 'ChangePasswordSuccess');
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.__typename !== 'ChangePasswordSuccess').map((r) => r.__typename)).toEqual([
      'IncorrectPasswordError',
      'IncorrectPasswordError',
    ]);
    for (const candidate of [...candidates, PASSWORD]) {
      const outcome = await signIn(url, account.email, candidate);
      expect(outcome.__typename).toBe(candidate === winners[0] ? 'AuthPayload' : 'InvalidCredentialsError');
    }
  });
});

describe('changePassword: adopted hashes', () => {
  it.each(['$2a$', '$2y$', '$2b$'])('verifies a %s hash made elsewhere', async (prefix) => {
    const account = await signUp(url);
    const legacy = (await bcrypt.hash('Legacy-Pass-2019', 4)).replace(/^\$2[aby]\$/, prefix);
    await server.rekey.orm.em.fork().execute('update "users" set "password" = ? where "id" = ?', [legacy, Number(account.user.id)]);
    const wrong = await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' });
    expect(wrong.__typename).toBe('IncorrectPasswordError');
    const result = await changePassword(url, account.token, { currentPassword: 'Legacy-Pass-2019', newPassword: 'Brand-New-Pass-7' });
    expect(result.__typename).toBe('ChangePasswordSuccess');
  });

  it('verifies a hash made elsewhere from an un-normalised (NFD) password', async () => {
    const account = await signUp(url);
    const nfd = 'Crème-Brûlée-42'.normalize('NFD');
    // As adoption leaves it: a hash Rekey did not write, so not known to be of the NFC form.
    await server.rekey.orm.em.fork().execute('update "users" set "password" = ?, "password_normalized" = false where "id" = ?', [await bcrypt.hash(nfd, 4), Number(account.user.id)]);
    expect(await signIn(url, account.email, nfd)).toMatchObject({ __typename: 'AuthPayload' });
  });
});

describe('changePassword: bcrypt work', () => {
  const operations = () => ({ ...server.rekey.deps.hasher.operations });
  const spent = (before: { hashes: number; compares: number }) => {
    const after = operations();
    return { hashes: after.hashes - before.hashes, compares: after.compares - before.compares };
  };

  it('spends exactly two bcrypt operations on a successful change: verify the current, hash the new', async () => {
    const account = await signUp(url);
    const before = operations();
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }), 'ChangePasswordSuccess');
    expect(spent(before)).toEqual({ hashes: 1, compares: 1 });
  });

  it('decides reuse without a second compare, and spends nothing where a cheap check decides', async () => {
    const account = await signUp(url);
    let before = operations();
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: PASSWORD }), 'PasswordReusedError');
    expect(spent(before)).toEqual({ hashes: 0, compares: 1 });

    before = operations();
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'weak' }), 'WeakPasswordError');
    expectType(await changePassword(url, null, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }), 'InvalidSessionError');
    expectType(await changePassword(url, account.token, { currentPassword: '', newPassword: 'Brand-New-Pass-7' }), 'ValidationError');
    expect(spent(before)).toEqual({ hashes: 0, compares: 0 });
  });
});
