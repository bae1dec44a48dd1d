import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import { MeDocument, RequestPasswordResetDocument, ResetPasswordDocument, SecureAccountDocument } from '../generated/graphql.ts';
import { PASSWORD, changePassword, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { emailLink, mailsTo, resetTokenIn, waitForLink, waitForMail } from '../support/email-links.ts';
import { expectType, graphql, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { AccountTokenRepository } from '../../src/account-tokens/account-token.repository.ts';
import { SECURE_ACCOUNT_TTL_MS } from '../../src/notifications/email-sender.ts';
import { createLogger } from '../../src/observability/logging.ts';
import { RetentionSweep } from '../../src/events/retention-sweep.ts';
import { waitUntil } from '../support/wait-until.ts';

// docs/api/reset-and-recovery.md, through the real app over HTTP
// and a real SMTP server in this process: every link a test follows is read
// from an email the server sent.
const RESET_URL = 'https://app.example.com/account#reset={token}';
const SECURE_URL = 'https://app.example.com/account#secure={token}';
const LEGACY_JWT_SECRET = 'the-original-login-workflows-secret-32+';
const NEW_PASSWORD = 'Fresh-Start-2026';
const INVALID_LINK = { __typename: 'InvalidResetTokenError', code: 'INVALID_RESET_TOKEN', message: 'This password reset link is invalid or has expired.' };
const RESET_DONE = {
  __typename: 'ResetPasswordSuccess',
  success: true,
  message: 'Your password has been reset. Sign in with your new password.',
  // The browser that reset is trusted from now on (recovery-trust.test.ts).
  deviceToken: expect.stringMatching(/^d1\./),
};
const REQUESTED = {
  __typename: 'RequestPasswordResetSuccess',
  success: true,
  message: 'If an account exists for that email, we sent a link to reset its password.',
};

const smtp = new SmtpSink();
/** Everything the server logged (at the most verbose level), and every link token a test read from an email. */
const logLines: string[] = [];
const seenTokens = new Set<string>();
let server: TestServer;
let url: string;

beforeAll(async () => {
  await smtp.start();
  server = await startTestServer({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Rekey <no-reply@example.com>',
    PASSWORD_RESET_URL: RESET_URL,
    ACCOUNT_SECURE_URL: SECURE_URL,
    OUTBOX_POLL_INTERVAL: '50ms',
    LEGACY_JWT_SECRET,
    // Small, so the lockout tests reach a block quickly.
    LOCKOUT_THRESHOLD: '3',
  }, { log: createLogger('trace', (_level, line) => logLines.push(line)) });
  url = server.graphqlUrl;
});
afterAll(async () => {
  await server.close();
  await smtp.stop();
});

const db = () => server.rekey.orm.em.fork();
const sessions = () => sessionClient(url);
const requestReset = async (email: string, headers: Record<string, string> = {}) =>
  (await run(url, RequestPasswordResetDocument, { input: { email } }, { headers })).requestPasswordReset;
const resetPassword = async (token: string, newPassword: string) =>
  (await run(url, ResetPasswordDocument, { input: { token, newPassword } })).resetPassword;
const secureAccount = async (token: string) => (await run(url, SecureAccountDocument, { input: { token } })).secureAccount;

/** Asks for a reset of `email` and returns the token of the link in the `count`-th reset email it received. */
async function resetLinkFor(email: string, count = mailsTo(smtp, email, 'Reset your password').length + 1): Promise<string> {
  expect(await requestReset(email)).toEqual(REQUESTED);
  return seen(resetTokenIn(await waitForMail(smtp, email, { subject: 'Reset your password', count }), RESET_URL));
}

function seen(token: string): string {
  seenTokens.add(token);
  return token;
}

/** The token of the "This wasn't me" link in the `count`-th "Your password was changed" email to `email`. */
async function secureLinkFor(email: string, count: number): Promise<string> {
  return seen((await waitForLink(smtp, email, SECURE_URL, { count })).token);
}

async function eventKinds(userId: string): Promise<string[]> {
  const rows = await db().execute<{ kind: string }[]>(`select "kind" from "security_events" where "user_id" = ? order by "seq"`, [Number(userId)]);
  return rows.map((row) => row.kind);
}

const activeSessions = async (userId: string) =>
  Number(
    (
      await db().execute<{ count: string }[]>(`select count(*) as "count" from "sessions" where "user_id" = ? and "revoked_at" is null`, [
        Number(userId),
      ])
    )[0]?.count,
  );

const legacyToken = (email: string) => jwt.sign({ sub: email, exp: Math.floor(Date.now() / 1000) + 3600 }, LEGACY_JWT_SECRET, { algorithm: 'HS256' });
const me = async (token: string) => (await run(url, MeDocument, {}, { token })).me;

describe('the reset loop through the email', () => {
  it('request → link → reset: the old password is refused, the new one works, every session and legacy token is dead, no session is made', async () => {
    const account = await signUp(url);
    const laptop = expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    // A token from the original login, issued a second before (jsonwebtoken's iat is whole seconds).
    const legacy = legacyToken(account.email);
    expect((await me(legacy))?.email).toBe(account.email);

    const token = await resetLinkFor(account.email);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const mail = mailsTo(smtp, account.email, 'Reset your password')[0];
    expect(mail?.parsed.text).toContain('expires in 30 minutes');
    // Stored only as its SHA-256, and the outbox kept the intent without the token.
    const [stored] = await db().execute<{ purpose: string }[]>(`select "purpose" from "account_tokens" where "token_hash" = ?`, [
      createHash('sha256').update(token).digest('hex'),
    ]);
    expect(stored).toEqual({ purpose: 'password_reset' });
    const payloads = await db().execute<{ payload: string }[]>(`select "payload"::text as "payload" from "outbox"`);
    expect(payloads.some((row) => row.payload.includes(token))).toBe(false);

    expect(await resetPassword(token, NEW_PASSWORD)).toEqual(RESET_DONE);

    expectType(await signIn(url, account.email, PASSWORD), 'InvalidCredentialsError');
    // Every session ended, and the reset started none; then the new password signs in.
    expect(await activeSessions(account.user.id)).toBe(0);
    expect(await me(account.token)).toBeNull();
    expect(await me(laptop.token)).toBeNull();
    expectType(await sessions().refresh(laptop.refreshToken ?? ''), 'InvalidSessionError');
    expect(await me(legacy)).toBeNull();
    const after = expectType(await signIn(url, account.email, NEW_PASSWORD), 'AuthPayload');
    expect((await me(after.token))?.passwordChangedAt).not.toBeNull();

    // The link is used up.
    expect(await resetPassword(token, 'Yet-Another-Pass-3')).toEqual(INVALID_LINK);

    expect(await eventKinds(account.user.id)).toEqual([
      'SIGNED_UP',
      'SIGNED_IN',
      'PASSWORD_RESET_REQUESTED',
      'SESSION_REVOKED',
      'SESSION_REVOKED',
      'PASSWORD_RESET',
      'SIGN_IN_FAILED',
      'SIGNED_IN',
    ]);
    // The owner is told, with a "This wasn't me" link (PASSWORD_RESET is notified like a change).
    const changed = await waitForMail(smtp, account.email, { subject: 'Your password was changed' });
    expect(emailLink(changed, SECURE_URL).token).toHaveLength(43);
    const [revoked] = await db().execute<{ reasons: string }[]>(
      `select string_agg(distinct "revoked_reason", ',') as "reasons" from "sessions" where "user_id" = ?`,
      [Number(account.user.id)],
    );
    expect(revoked?.reasons).toBe('password_reset');
  });

  it('clears the failure count: a reset account starts with a full allowance of wrong passwords', async () => {
    const account = await signUp(url);
    expectType(await signIn(url, account.email, 'Wrong-Pass-1'), 'InvalidCredentialsError');
    expectType(await signIn(url, account.email, 'Wrong-Pass-2'), 'InvalidCredentialsError');
    expect(await resetPassword(await resetLinkFor(account.email), NEW_PASSWORD)).toEqual(RESET_DONE);
    const [row] = await db().execute<{ failed_password_checks: number }[]>(`select "failed_password_checks" from "users" where "id" = ?`, [
      Number(account.user.id),
    ]);
    expect(row?.failed_password_checks).toBe(0);
  });

  it("holds the new password to the policy with the account's email, then refuses the current password; the link keeps working", async () => {
    const email = uniqueEmail('policy');
    const account = await signUp(url, email);
    const token = await resetLinkFor(email);

    const weak = expectType(await resetPassword(token, 'short'), 'WeakPasswordError');
    expect(weak.message).toBe('Password must be at least 8 characters');
    const withEmail = expectType(await resetPassword(token, `${email.split('@')[0]}-X1!`), 'WeakPasswordError');
    expect(withEmail.violations?.map((violation) => violation.rule)).toEqual(['CONTAINS_EMAIL']);
    const reused = expectType(await resetPassword(token, PASSWORD), 'PasswordReusedError');
    expect(reused.message).toBe('New password must be different from current password.');
    const tooLong = expectType(await resetPassword(token, 'x'.repeat(2000)), 'ValidationError');
    expect(tooLong.fieldErrors?.[0]?.path).toEqual(['newPassword']);

    expect(await resetPassword(token, NEW_PASSWORD)).toEqual(RESET_DONE);
    expectType(await signIn(url, account.email, NEW_PASSWORD), 'AuthPayload');
  });
});

describe('links that do not work', () => {
  it('forged, malformed and empty tokens', async () => {
    for (const token of [randomBytes(32).toString('base64url'), 'not-a-token', '', 'x'.repeat(10_000), `${randomBytes(32).toString('base64url')}\n`]) {
      expect(await resetPassword(token, NEW_PASSWORD)).toEqual(INVALID_LINK);
      expect(await secureAccount(token)).toEqual(INVALID_LINK);
    }
  });

  it('an expired link', async () => {
    const account = await signUp(url);
    const token = await resetLinkFor(account.email);
    // Time passes: the link's 30 minutes are over.
    await db().execute(`update "account_tokens" set "expires_at" = now() - interval '1 second' where "token_hash" = ?`, [
      createHash('sha256').update(token).digest('hex'),
    ]);
    expect(await resetPassword(token, NEW_PASSWORD)).toEqual(INVALID_LINK);
    expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
  });

  it('a link superseded by a newer request', async () => {
    const account = await signUp(url);
    const older = await resetLinkFor(account.email);
    const newer = await resetLinkFor(account.email);
    expect(await resetPassword(older, NEW_PASSWORD)).toEqual(INVALID_LINK);
    expect(await resetPassword(newer, NEW_PASSWORD)).toEqual(RESET_DONE);
  });

  it('a link sent before a password change, by GraphQL or by the REST route', async () => {
    const account = await signUp(url);
    const token = await resetLinkFor(account.email);
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Changed-Meanwhile-5' }), 'ChangePasswordSuccess');
    expect(await resetPassword(token, NEW_PASSWORD)).toEqual(INVALID_LINK);

    const other = await signUp(url);
    const otherToken = await resetLinkFor(other.email);
    const rest = await fetch(`${server.url}/api/v1/change-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwt: other.token, currentPassword: PASSWORD, newPassword: 'Changed-Meanwhile-5' }),
    });
    expect(rest.status).toBe(200);
    expect(await resetPassword(otherToken, NEW_PASSWORD)).toEqual(INVALID_LINK);
  });

  it('a link whose email went out after a change made since the request (a late delivery is dated by its request)', async () => {
    const account = await signUp(url);
    const requestedAt = new Date();
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Changed-Meanwhile-5' }), 'ChangePasswordSuccess');
    // What the outbox worker does when it finally delivers the request's email: mint the link dated by the request.
    const late = await new AccountTokenRepository(db()).mint(Number(account.user.id), 'password_reset', 60_000, requestedAt);
    expect(await resetPassword(seen(late.token), NEW_PASSWORD)).toEqual(INVALID_LINK);
    const fresh = await resetLinkFor(account.email);
    expect(await resetPassword(fresh, NEW_PASSWORD)).toEqual(RESET_DONE);
  });

  it('a "This wasn\'t me" token is no reset token, and a reset token secures nothing', async () => {
    const account = await signUp(url);
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Changed-Meanwhile-5' }), 'ChangePasswordSuccess');
    const secure = await secureLinkFor(account.email, 1);
    const reset = await resetLinkFor(account.email);
    expect(await resetPassword(secure, NEW_PASSWORD)).toEqual(INVALID_LINK);
    expect(await secureAccount(reset)).toEqual(INVALID_LINK);
  });
});

describe('housekeeping', () => {
  it('the retention sweep deletes link tokens a day after they expired, and no other', async () => {
    const account = await signUp(url);
    const tokens = new AccountTokenRepository(db());
    const [old, recent, live] = [
      await tokens.mint(Number(account.user.id), 'secure_account', SECURE_ACCOUNT_TTL_MS, new Date()),
      await tokens.mint(Number(account.user.id), 'secure_account', SECURE_ACCOUNT_TTL_MS, new Date()),
      await tokens.mint(Number(account.user.id), 'password_reset', 60_000, new Date()),
    ];
    await db().execute(`update "account_tokens" set "expires_at" = now() - interval '25 hours' where "id" = ?`, [old.id]);
    await db().execute(`update "account_tokens" set "expires_at" = now() - interval '23 hours' where "id" = ?`, [recent.id]);
    await new RetentionSweep(server.rekey.orm, server.config.notifications, createLogger('silent')).runOnce();
    const left = await db().execute<{ id: string }[]>(`select "id" from "account_tokens" where "user_id" = ? order by "created_at"`, [
      Number(account.user.id),
    ]);
    expect(left.map((row) => row.id).sort()).toEqual([recent.id, live.id].sort());
  });
});

describe('an unknown email', () => {
  it('gets the same answer and status, and no email, event or outbox message', async () => {
    const known = await signUp(url);
    const unknown = uniqueEmail('nobody');
    const count = async (table: string) => Number((await db().execute<{ count: string }[]>(`select count(*) as "count" from "${table}"`))[0]?.count);
    // (Not account_tokens: the outbox worker may be minting links for earlier tests' emails meanwhile.)
    const [eventsBefore, outboxBefore] = [await count('security_events'), await count('outbox')];

    const forUnknown = await graphql(url, RequestPasswordResetDocument, { input: { email: unknown } });
    expect([await count('security_events'), await count('outbox')]).toEqual([eventsBefore, outboxBefore]);
    const forKnown = await graphql(url, RequestPasswordResetDocument, { input: { email: known.email } });
    expect(forUnknown).toEqual(forKnown);
    expect(forUnknown).toEqual({ status: 200, data: { requestPasswordReset: REQUESTED } });

    // The known email's message is delivered; by then nothing was sent to the unknown one.
    await waitForMail(smtp, known.email, { subject: 'Reset your password' });
    await waitUntil(async () => (await server.rekey.outbox.runOnce()) === 0, 'the outbox is empty');
    expect(smtp.received.some((mail) => mail.raw.includes(unknown))).toBe(false);
  });

  it('a malformed email is a ValidationError, whoever owns it', async () => {
    const result = expectType(await requestReset('not an email'), 'ValidationError');
    expect(result.fieldErrors?.[0]?.path).toEqual(['email']);
  });
});

describe('concurrent resets with one link', () => {
  it('exactly one succeeds; the password is the winner\'s', async () => {
    const account = await signUp(url);
    const token = await resetLinkFor(account.email);
    const candidates = ['Winner-Pass-11', 'Winner-Pass-22', 'Winner-Pass-33', 'Winner-Pass-44', 'Winner-Pass-55'];
    const results = await Promise.all(candidates.map((password) => resetPassword(token, password)));
    const winners = candidates.filter((_, index) => results[index]?.__typename === 'ResetPasswordSuccess');
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => result.__typename === 'InvalidResetTokenError')).toHaveLength(candidates.length - 1);
    expectType(await signIn(url, account.email, winners[0] ?? ''), 'AuthPayload');
    // The losers' passwords were never stored (checked against the hash itself: four wrong sign-ins would block the account here).
    const [row] = await db().execute<{ password: string }[]>(`select "password" from "users" where "id" = ?`, [Number(account.user.id)]);
    for (const password of candidates.filter((candidate) => candidate !== winners[0])) expect(await bcrypt.compare(password, row?.password ?? '')).toBe(false);
    expect((await eventKinds(account.user.id)).filter((kind) => kind === 'PASSWORD_RESET')).toHaveLength(1);
  });
});

describe('"This wasn\'t me"', () => {
  it("throws the intruder out: the owner follows the email's link, the intruder's session and password die, the owner resets and signs in", async () => {
    const owner = await signUp(url);
    // The intruder knows the password, signs in elsewhere and changes it, keeping the owner's session alive to look harmless.
    const asIntruder = { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' } };
    const intruder = expectType(await signIn(url, owner.email, PASSWORD, asIntruder), 'AuthPayload');
    const changed = expectType(
      await changePassword(url, intruder.token, { currentPassword: PASSWORD, newPassword: 'Intruders-Pass-6', revokeOtherSessions: false }, asIntruder),
      'ChangePasswordSuccess',
    );
    const notice = await waitForMail(smtp, owner.email, { subject: 'Your password was changed' });
    expect(notice.parsed.text).toContain('Device: Firefox on Linux');
    const secureToken = seen(emailLink(notice, SECURE_URL).token);

    const secured = expectType(await secureAccount(secureToken), 'SecureAccountSuccess');
    expect(secured.success).toBe(true);
    expect(secured.message).toMatch(/signed out/);

    expect(await me(changed.token)).toBeNull();
    expectType(await sessions().refresh(changed.refreshToken ?? ''), 'InvalidSessionError');
    expect(await me(owner.token)).toBeNull();
    expect(await activeSessions(owner.user.id)).toBe(0);
    // Neither the intruder's password nor the one before it signs in: answered as any wrong password.
    expectType(await signIn(url, owner.email, 'Intruders-Pass-6'), 'InvalidCredentialsError');
    expectType(await signIn(url, owner.email, PASSWORD), 'InvalidCredentialsError');
    // Single use.
    expect(await secureAccount(secureToken)).toEqual(INVALID_LINK);

    // The owner's fresh reset link, mailed by the secure step.
    const securedMail = await waitForMail(smtp, owner.email, { subject: 'Your account was secured' });
    const resetToken = seen(resetTokenIn(securedMail, RESET_URL));
    expect(await resetPassword(resetToken, NEW_PASSWORD)).toEqual(RESET_DONE);
    expectType(await signIn(url, owner.email, NEW_PASSWORD), 'AuthPayload');
    expectType(await signIn(url, owner.email, 'Intruders-Pass-6'), 'InvalidCredentialsError');
    expect(await eventKinds(owner.user.id)).toContain('ACCOUNT_SECURED');
  });

  it("ends the original login's tokens too", async () => {
    const owner = await signUp(url);
    const legacy = legacyToken(owner.email);
    expect((await me(legacy))?.email).toBe(owner.email);
    // A link as the "Your password was changed" email carries (minted by the repository the outbox worker uses),
    // for an account whose legacy tokens are still valid: no password change has voided them yet.
    const { token } = await new AccountTokenRepository(db()).mint(Number(owner.user.id), 'secure_account', SECURE_ACCOUNT_TTL_MS, new Date());
    expectType(await secureAccount(token), 'SecureAccountSuccess');
    expect(await me(legacy)).toBeNull();
  });

  it('voids reset links sent before it (the secured email carries the only one)', async () => {
    const owner = await signUp(url);
    expectType(await changePassword(url, owner.token, { currentPassword: PASSWORD, newPassword: 'Intruders-Pass-6' }), 'ChangePasswordSuccess');
    const secureToken = await secureLinkFor(owner.email, 1);
    const earlier = await resetLinkFor(owner.email);
    expectType(await secureAccount(secureToken), 'SecureAccountSuccess');
    expect(await resetPassword(earlier, NEW_PASSWORD)).toEqual(INVALID_LINK);
    const fresh = resetTokenIn(await waitForMail(smtp, owner.email, { subject: 'Your account was secured' }), RESET_URL);
    expect(await resetPassword(fresh, NEW_PASSWORD)).toEqual(RESET_DONE);
  });

  it('a link the intruder cannot kill by changing the password again, but that expires after 7 days', async () => {
    const owner = await signUp(url);
    const first = expectType(
      await changePassword(url, owner.token, { currentPassword: PASSWORD, newPassword: 'Intruders-Pass-6' }),
      'ChangePasswordSuccess',
    );
    const firstLink = await secureLinkFor(owner.email, 1);
    expectType(await changePassword(url, first.token, { currentPassword: 'Intruders-Pass-6', newPassword: 'Intruders-Pass-7' }), 'ChangePasswordSuccess');
    const secondLink = await secureLinkFor(owner.email, 2);
    const [stored] = await db().execute<{ days: number }[]>(
      `select extract(epoch from ("expires_at" - now())) / 86400 as "days" from "account_tokens" where "token_hash" = ?`,
      [createHash('sha256').update(secondLink).digest('hex')],
    );
    expect(Number(stored?.days)).toBeGreaterThan(6.99);
    await db().execute(`update "account_tokens" set "expires_at" = now() - interval '1 second' where "token_hash" = ?`, [
      createHash('sha256').update(secondLink).digest('hex'),
    ]);
    expect(await secureAccount(secondLink)).toEqual(INVALID_LINK);
    expectType(await secureAccount(firstLink), 'SecureAccountSuccess');
  });
});

describe('a blocked account', () => {
  const block = async (email: string) => {
    for (let attempt = 1; attempt <= 3; attempt += 1) expectType(await signIn(url, email, `Wrong-Pass-${attempt}`), 'InvalidCredentialsError');
    // Blocked: even the right password is refused now.
    return expectType(await signIn(url, email, PASSWORD), 'RateLimitedError');
  };
  const lockedUntil = async (userId: string) =>
    (await db().execute<{ locked_until: Date | null }[]>(`select "locked_until" from "users" where "id" = ?`, [Number(userId)]))[0]?.locked_until;

  it('recovers through a reset', async () => {
    const account = await signUp(url);
    await block(account.email);
    expect(await resetPassword(await resetLinkFor(account.email), NEW_PASSWORD)).toEqual(RESET_DONE);
    expect(await lockedUntil(account.user.id)).toBeNull();
    expectType(await signIn(url, account.email, NEW_PASSWORD), 'AuthPayload');
  });

  it('recovers through secureAccount, then the reset link it mails', async () => {
    const account = await signUp(url);
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Second-Pass-22' }), 'ChangePasswordSuccess');
    const secureToken = await secureLinkFor(account.email, 1);
    for (let attempt = 1; attempt <= 3; attempt += 1) expectType(await signIn(url, account.email, `Wrong-Pass-${attempt}`), 'InvalidCredentialsError');
    expectType(await signIn(url, account.email, 'Second-Pass-22'), 'RateLimitedError');

    expectType(await secureAccount(secureToken), 'SecureAccountSuccess');
    expect(await lockedUntil(account.user.id)).toBeNull();
    const fresh = resetTokenIn(await waitForMail(smtp, account.email, { subject: 'Your account was secured' }), RESET_URL);
    expect(await resetPassword(fresh, NEW_PASSWORD)).toEqual(RESET_DONE);
    expectType(await signIn(url, account.email, NEW_PASSWORD), 'AuthPayload');
  });
});

describe('one password-checking field per operation', () => {
  it('refuses resetPassword beside signIn (or a second requestPasswordReset) before anything runs', async () => {
    const account = await signUp(url);
    const token = await resetLinkFor(account.email);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation($t: String!, $e: String!) {
          resetPassword(input: { token: $t, newPassword: "Fresh-Start-2026" }) { __typename }
          signIn(input: { email: $e, password: "Wrong-Pass-1" }) { __typename }
        }`,
        variables: { t: token, e: account.email },
      }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe('TOO_MANY_PASSWORD_FIELDS');
    const twice = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation { a: requestPasswordReset(input: { email: "a@example.com" }) { __typename } b: requestPasswordReset(input: { email: "b@example.com" }) { __typename } }`,
      }),
    });
    expect(((await twice.json()) as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code).toBe('TOO_MANY_PASSWORD_FIELDS');
    // Nothing ran: the link still works.
    expect(await resetPassword(token, NEW_PASSWORD)).toEqual(RESET_DONE);
  });
});

describe('logs', () => {
  it('never hold a link token, a password or a hash (every token this file read from an email, at log level trace)', async () => {
    expect(seenTokens.size).toBeGreaterThanOrEqual(15);
    expect(logLines.length).toBeGreaterThan(0);
    const logs = logLines.join('\n');
    for (const token of seenTokens) expect(logs).not.toContain(token);
    for (const secret of [PASSWORD, NEW_PASSWORD, 'Intruders-Pass-6', '$2b$']) expect(logs).not.toContain(secret);
  });
});
