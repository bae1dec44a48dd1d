import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccountTokenRepository } from '../../src/account-tokens/account-token.repository.ts';
import { createLogger } from '../../src/observability/logging.ts';
import {
  ConfirmTotpEnrollmentDocument,
  DisableTotpDocument,
  MeDocument,
  RegenerateRecoveryCodesDocument,
  ResetPasswordDocument,
  SecondFactorStatusDocument,
  SignInDocument,
  StartTotpEnrollmentDocument,
  VerifySecondFactorDocument,
} from '../generated/graphql.ts';
import { PASSWORD, changePassword, signIn, signUp } from '../support/accounts.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { awaitFreshStep, enrolTotp, totpCode } from '../support/totp.ts';

// TOTP with recovery codes (docs/api/second-factor.md), over HTTP, codes made
// here with otpauth from the secret the enrolment returns.

const CODE_LIMIT = 10;
let server: TestServer;
let url: string;
const logLines: string[] = [];
/** Everything secret a test handled: none of it may appear in a log line. */
const secrets: string[] = [];

beforeAll(async () => {
  server = await startTestServer(
    { SECOND_FACTOR_RATE_LIMIT: String(CODE_LIMIT), LOG_LEVEL: 'debug' },
    { useRedis: true, log: createLogger('debug', (_level, line) => logLines.push(line)) },
  );
  url = server.graphqlUrl;
});
afterAll(() => server.close());

const as = (token: string) => ({ token });
const db = () => server.rekey.orm.em.fork();
const events = async (userId: string, kind: string) =>
  Number(
    (await db().execute<{ n: string }[]>(`select count(*) as n from "security_events" where "user_id" = ? and "kind" = ?`, [Number(userId), kind]))[0]?.n,
  );

async function enrolled() {
  const account = await signUp(url);
  const totp = await enrolTotp(url, account);
  secrets.push(totp.secret, ...totp.recoveryCodes);
  return { ...account, ...totp };
}

async function challengeFor(email: string, password = PASSWORD) {
  const result = expectType(await signIn(url, email, password), 'SecondFactorChallenge');
  secrets.push(result.challengeToken);
  return result.challengeToken;
}

const verify = async (challengeToken: string, code: string) =>
  (await run(url, VerifySecondFactorDocument, { input: { challengeToken, code } })).verifySecondFactor;

describe('enrolment', () => {
  it('needs the current password, is pending until a correct code confirms it, then shows ten recovery codes once', async () => {
    const account = await signUp(url);
    const wrong = await run(url, StartTotpEnrollmentDocument, { input: { currentPassword: 'Wrong-Pass-1' } }, as(account.token));
    expect(wrong.startTotpEnrollment.__typename).toBe('IncorrectPasswordError');

    await awaitFreshStep();
    const started = expectType(
      (await run(url, StartTotpEnrollmentDocument, { input: { currentPassword: PASSWORD } }, as(account.token))).startTotpEnrollment,
      'StartTotpEnrollmentSuccess',
    );
    secrets.push(started.secret);
    expect(started.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(started.uri).toMatch(/^otpauth:\/\/totp\/Rekey:.+\?.*secret=[A-Z2-7]{32}/);
    expect(started.uri).toContain('issuer=Rekey');
    expect(started.qrCodeSvg).toMatch(/<svg[\s\S]*<\/svg>\s*$/);
    // Pending: nothing changes for sign-in yet.
    expect((await run(url, SecondFactorStatusDocument, {}, as(account.token))).me?.secondFactor).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect((await signIn(url, account.email, PASSWORD)).__typename).toBe('AuthPayload');

    const refused = await run(url, ConfirmTotpEnrollmentDocument, { input: { code: totpCode(started.secret, 3) } }, as(account.token));
    expect(refused.confirmTotpEnrollment.__typename).toBe('IncorrectSecondFactorError');
    const confirmed = expectType(
      (await run(url, ConfirmTotpEnrollmentDocument, { input: { code: totpCode(started.secret) } }, as(account.token))).confirmTotpEnrollment,
      'ConfirmTotpEnrollmentSuccess',
    );
    secrets.push(...confirmed.recoveryCodes);
    expect(confirmed.recoveryCodes).toHaveLength(10);
    expect(new Set(confirmed.recoveryCodes).size).toBe(10);
    expect(confirmed.user.secondFactor).toEqual({ totp: true, recoveryCodesLeft: 10 });
    expect(await events(account.user.id, 'SECOND_FACTOR_ENABLED')).toBe(1);

    // Stored encrypted, recovery codes only as hashes.
    const [row] = await db().execute<{ secret_ciphertext: string }[]>(`select "secret_ciphertext" from "totp_factors" where "user_id" = ?`, [Number(account.user.id)]);
    expect(row?.secret_ciphertext).not.toContain(started.secret);
    const hashes = await db().execute<{ code_hash: string }[]>(`select "code_hash" from "recovery_codes" where "user_id" = ?`, [Number(account.user.id)]);
    expect(hashes).toHaveLength(10);
    for (const code of confirmed.recoveryCodes) expect(JSON.stringify(hashes)).not.toContain(code.replace('-', ''));
  });
});

describe('sign-in with TOTP on', () => {
  it('answers a challenge instead of a session; the right code completes it, one bcrypt compare in all', async () => {
    const account = await enrolled();
    const comparesBefore = server.rekey.deps.hasher.operations.compares;
    const challengeToken = await challengeFor(account.email);
    expect((await verify(challengeToken, totpCode(account.secret, 3))).__typename).toBe('IncorrectSecondFactorError');
    const signedIn = expectType(await verify(challengeToken, totpCode(account.secret)), 'AuthPayload');
    expect(server.rekey.deps.hasher.operations.compares - comparesBefore).toBe(1);
    expect(signedIn.user.email).toBe(account.email);
    expect((await run(url, MeDocument, {}, as(signedIn.token))).me?.email).toBe(account.email);
    // A wrong password still answers the generic error, not a challenge.
    expect((await signIn(url, account.email, 'Wrong-Pass-1')).__typename).toBe('InvalidCredentialsError');
  });

  it('accepts one step either side, refuses two, and refuses a code used before', async () => {
    const account = await signUp(url);
    await awaitFreshStep();
    const started = expectType(
      (await run(url, StartTotpEnrollmentDocument, { input: { currentPassword: PASSWORD } }, as(account.token))).startTotpEnrollment,
      'StartTotpEnrollmentSuccess',
    );
    secrets.push(started.secret);
    const confirm = async (code: string) => (await run(url, ConfirmTotpEnrollmentDocument, { input: { code } }, as(account.token))).confirmTotpEnrollment.__typename;
    expect(await confirm(totpCode(started.secret, -2))).toBe('IncorrectSecondFactorError');
    expect(await confirm(totpCode(started.secret, 2))).toBe('IncorrectSecondFactorError');
    expect(await confirm(totpCode(started.secret, -1))).toBe('ConfirmTotpEnrollmentSuccess');

    expect((await verify(await challengeFor(account.email), totpCode(started.secret, -1))).__typename).toBe('IncorrectSecondFactorError');
    expect((await verify(await challengeFor(account.email), totpCode(started.secret, 0))).__typename).toBe('AuthPayload');
    expect((await verify(await challengeFor(account.email), totpCode(started.secret, 0))).__typename).toBe('IncorrectSecondFactorError');
    expect((await verify(await challengeFor(account.email), totpCode(started.secret, 2))).__typename).toBe('IncorrectSecondFactorError');
    expect((await verify(await challengeFor(account.email), totpCode(started.secret, 1))).__typename).toBe('AuthPayload');
  });

  it('a trusted device token does not skip the code', async () => {
    const account = await signUp(url);
    await enrolTotp(url, account);
    expect(account.deviceToken).toBeTruthy();
    const withDevice = await run(url, SignInDocument, {
      input: { email: account.email, password: PASSWORD, deviceToken: account.deviceToken ?? null },
    });
    expect(withDevice.signIn.__typename).toBe('SecondFactorChallenge');
  });
});

describe('recovery codes', () => {
  it('each works once, wherever a code is accepted, and is recorded', async () => {
    const account = await enrolled();
    const [code] = account.recoveryCodes;
    expect((await verify(await challengeFor(account.email), code!)).__typename).toBe('AuthPayload');
    expect((await verify(await challengeFor(account.email), code!)).__typename).toBe('IncorrectSecondFactorError');
    // Lower case and without the dash: the same code.
    const second = account.recoveryCodes[1]!.replace('-', '').toLowerCase();
    expect((await verify(await challengeFor(account.email), second)).__typename).toBe('AuthPayload');
    expect((await run(url, SecondFactorStatusDocument, {}, as(account.token))).me?.secondFactor.recoveryCodesLeft).toBe(8);
    expect(await events(account.user.id, 'RECOVERY_CODE_USED')).toBe(2);
  });

  it('regenerating needs a code; the old codes stop working', async () => {
    const account = await enrolled();
    const wrong = await run(url, RegenerateRecoveryCodesDocument, { input: { secondFactorCode: '000000' } }, as(account.token));
    expect(wrong.regenerateRecoveryCodes.__typename).toBe('IncorrectSecondFactorError');
    const renewed = expectType(
      (await run(url, RegenerateRecoveryCodesDocument, { input: { secondFactorCode: totpCode(account.secret) } }, as(account.token))).regenerateRecoveryCodes,
      'RegenerateRecoveryCodesSuccess',
    );
    secrets.push(...renewed.recoveryCodes);
    expect(renewed.recoveryCodes).toHaveLength(10);
    expect((await verify(await challengeFor(account.email), account.recoveryCodes[0]!)).__typename).toBe('IncorrectSecondFactorError');
    expect((await verify(await challengeFor(account.email), renewed.recoveryCodes[0]!)).__typename).toBe('AuthPayload');
  });
});

describe('guessing codes', () => {
  it(`lets at most ${CODE_LIMIT} of 30 concurrent wrong codes reach the check`, async () => {
    const account = await enrolled();
    const challengeToken = await challengeFor(account.email);
    const results = await Promise.all(Array.from({ length: 30 }, (_, n) => verify(challengeToken, String(100000 + n))));
    const counts: Record<string, number> = {};
    for (const { __typename } of results) counts[__typename] = (counts[__typename] ?? 0) + 1;
    expect(counts.IncorrectSecondFactorError ?? 0).toBeLessThanOrEqual(CODE_LIMIT);
    expect(counts.RateLimitedError ?? 0).toBeGreaterThanOrEqual(30 - CODE_LIMIT);
    expect(Object.keys(counts).sort()).toEqual(['IncorrectSecondFactorError', 'RateLimitedError']);
    expect(await events(account.user.id, 'SECOND_FACTOR_FAILED')).toBe(counts.IncorrectSecondFactorError);
    // Even the right code waits for the window now.
    expect((await verify(challengeToken, totpCode(account.secret))).__typename).toBe('RateLimitedError');
  });
});

describe('challenge tokens', () => {
  it('are single use', async () => {
    const account = await enrolled();
    const challengeToken = await challengeFor(account.email);
    expect((await verify(challengeToken, totpCode(account.secret))).__typename).toBe('AuthPayload');
    expect((await verify(challengeToken, totpCode(account.secret, 1))).__typename).toBe('InvalidSessionError');
  });

  it('expire', async () => {
    const account = await enrolled();
    const challengeToken = await challengeFor(account.email);
    await db().execute(`update "account_tokens" set "expires_at" = now() - interval '1 second' where "user_id" = ? and "purpose" = 'second_factor_challenge'`, [
      Number(account.user.id),
    ]);
    expect((await verify(challengeToken, totpCode(account.secret))).__typename).toBe('InvalidSessionError');
  });

  it("are bound to their account: another account's code does not redeem one", async () => {
    const [owner, other] = [await enrolled(), await enrolled()];
    const challengeToken = await challengeFor(owner.email);
    expect((await verify(challengeToken, totpCode(other.secret))).__typename).toBe('IncorrectSecondFactorError');
    expect((await verify(challengeToken, other.recoveryCodes[0]!)).__typename).toBe('IncorrectSecondFactorError');
    expect((await verify('not-a-challenge', totpCode(owner.secret))).__typename).toBe('InvalidSessionError');
    const signedIn = expectType(await verify(challengeToken, totpCode(owner.secret)), 'AuthPayload');
    expect(signedIn.user.id).toBe(owner.user.id);
  });
});

describe('changePassword with TOTP on', () => {
  it('refuses without a code and with a wrong one; a right one changes it', async () => {
    const account = await enrolled();
    const input = { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' };
    expect((await changePassword(url, account.token, input)).__typename).toBe('SecondFactorRequiredError');
    expect((await changePassword(url, account.token, { ...input, secondFactorCode: '123456' })).__typename).toBe('IncorrectSecondFactorError');
    // Still the old password.
    expect((await signIn(url, account.email, PASSWORD)).__typename).toBe('SecondFactorChallenge');
    const changed = await changePassword(url, account.token, { ...input, secondFactorCode: totpCode(account.secret) });
    expect(changed.__typename).toBe('ChangePasswordSuccess');
    expect((await signIn(url, account.email, 'Brand-New-Pass-7')).__typename).toBe('SecondFactorChallenge');
  });

  it('a wrong current password is told first, whatever the code', async () => {
    const account = await enrolled();
    const result = await changePassword(url, account.token, { currentPassword: 'Wrong-Pass-1', newPassword: 'Brand-New-Pass-7' });
    expect(result.__typename).toBe('IncorrectPasswordError');
  });

  it('the REST route of the original workflow refuses the account with a clear 400', async () => {
    const account = await enrolled();
    const response = await fetch(`${server.url}/api/v1/change-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwt: account.token, currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { success: boolean; error: string };
    expect(body.success).toBe(false);
    expect(body.error).toMatch(/two-step verification on; this route cannot take a code/);
    expect((await signIn(url, account.email, PASSWORD)).__typename).toBe('SecondFactorChallenge');
  });
});

describe('resetPassword with TOTP on', () => {
  it('needs the code: the link alone does not reset', async () => {
    const account = await enrolled();
    const { token } = await new AccountTokenRepository(db()).mint(Number(account.user.id), 'password_reset', 600_000, new Date());
    secrets.push(token);
    const reset = async (secondFactorCode?: string) =>
      (await run(url, ResetPasswordDocument, { input: { token, newPassword: 'Reset-Pass-42x', ...(secondFactorCode ? { secondFactorCode } : {}) } })).resetPassword;
    expect((await reset()).__typename).toBe('SecondFactorRequiredError');
    expect((await reset('654321')).__typename).toBe('IncorrectSecondFactorError');
    expect((await reset(totpCode(account.secret))).__typename).toBe('ResetPasswordSuccess');
    expect((await signIn(url, account.email, 'Reset-Pass-42x')).__typename).toBe('SecondFactorChallenge');
  });
});

describe('disabling', () => {
  it('needs the password and a code; sign-in is one step again', async () => {
    const account = await enrolled();
    const disable = async (currentPassword: string, secondFactorCode: string) =>
      (await run(url, DisableTotpDocument, { input: { currentPassword, secondFactorCode } }, as(account.token))).disableTotp;
    expect((await disable('Wrong-Pass-1', totpCode(account.secret))).__typename).toBe('IncorrectPasswordError');
    expect((await disable(PASSWORD, '111111')).__typename).toBe('IncorrectSecondFactorError');
    const off = expectType(await disable(PASSWORD, totpCode(account.secret)), 'DisableTotpSuccess');
    expect(off.user.secondFactor).toEqual({ totp: false, recoveryCodesLeft: 0 });
    expect(await events(account.user.id, 'SECOND_FACTOR_DISABLED')).toBe(1);
    expect((await signIn(url, account.email, PASSWORD)).__typename).toBe('AuthPayload');
    expect((await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' })).__typename).toBe('ChangePasswordSuccess');
  });
});

describe('logs', () => {
  it('hold no secret, code, recovery code or challenge token', () => {
    expect(secrets.length).toBeGreaterThan(50);
    expect(logLines.length).toBeGreaterThan(10);
    const all = logLines.join('\n');
    for (const secret of secrets) expect(all).not.toContain(secret);
  });
});
