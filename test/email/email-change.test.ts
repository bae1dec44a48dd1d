import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import {
  ConfirmEmailChangeDocument,
  MeWithVerificationDocument,
  RequestEmailChangeDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  SecureAccountDocument,
} from '../generated/graphql.ts';
import { PASSWORD, changePassword, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { mailsTo, waitForLink, waitForMail } from '../support/email-links.ts';
import { expectType, graphql, run } from '../support/graphql.ts';
import { LINKS, startMailTestServer, type MailTestServer } from '../support/mail-server.ts';

// docs/api/email-address.md: a change of address confirmed through both emails, every link read from a real email.
const LEGACY_JWT_SECRET = 'the-original-login-workflows-secret-32+';
const REQUESTED = {
  __typename: 'RequestEmailChangeSuccess',
  success: true,
  message: 'We sent a link to the new address: the change is made when it is followed.',
};
const INVALID_LINK = { __typename: 'InvalidEmailTokenError', code: 'INVALID_EMAIL_TOKEN', message: 'This email link is invalid or has expired.' };
const NOTICE = 'Your email address is about to change';
const CONFIRM = 'Confirm your new email address';
const CHANGED = 'Your email address was changed';

let server: MailTestServer;
let url: string;
const seenTokens = new Set<string>();
const seen = (token: string) => {
  seenTokens.add(token);
  return token;
};

beforeAll(async () => {
  server = await startMailTestServer({ LEGACY_JWT_SECRET });
  url = server.graphqlUrl;
});
afterAll(async () => {
  const log = server.logLines.join('\n');
  for (const token of seenTokens) expect(log).not.toContain(token);
  await server.stop();
});

const db = () => server.rekey.orm.em.fork();
const me = async (token: string) => (await run(url, MeWithVerificationDocument, {}, { token })).me;
const requestChange = async (token: string, newEmail: string, currentPassword = PASSWORD) =>
  (await run(url, RequestEmailChangeDocument, { input: { newEmail, currentPassword } }, { token })).requestEmailChange;
const confirm = async (token: string) => (await run(url, ConfirmEmailChangeDocument, { input: { token } })).confirmEmailChange;
const changeLink = async (to: string, count = 1) => seen((await waitForLink(server.smtp, to, LINKS.EMAIL_CHANGE_URL, { count })).token);
const noticeLink = async (to: string, count = 1) => seen((await waitForLink(server.smtp, to, LINKS.ACCOUNT_SECURE_URL, { count })).token);
const usersWith = async (email: string) =>
  Number((await db().execute<{ n: string }[]>(`select count(*) as "n" from "users" where "email" = ?`, [email]))[0]?.n);
const legacyToken = (email: string) => jwt.sign({ sub: email, exp: Math.floor(Date.now() / 1000) + 3600 }, LEGACY_JWT_SECRET, { algorithm: 'HS256' });

describe('the change loop through both emails', () => {
  it('link to the new address, notice to the old; confirming switches, keeps the session, mails both, voids reset links and legacy tokens', async () => {
    const account = await signUp(url);
    const newEmail = uniqueEmail('moved');
    await run(url, RequestPasswordResetDocument, { input: { email: account.email } });
    const resetToken = seen((await waitForLink(server.smtp, account.email, LINKS.PASSWORD_RESET_URL)).token);

    expect(await requestChange(account.token, newEmail)).toEqual(REQUESTED);
    const token = await changeLink(newEmail);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const notice = await waitForMail(server.smtp, account.email, { subject: NOTICE });
    expect(notice.parsed.text).toContain(newEmail);
    await noticeLink(account.email);
    // Nothing changes before the link is followed.
    expect(await me(account.token)).toMatchObject({ email: account.email });
    const legacy = legacyToken(newEmail);

    expect(await confirm(token)).toEqual({ __typename: 'ConfirmEmailChangeSuccess', success: true, message: 'Your email address was changed.', email: newEmail });
    expect(await me(account.token)).toMatchObject({ email: newEmail, emailVerified: true });
    expectType(await signIn(url, newEmail, PASSWORD), 'AuthPayload');
    expectType(await signIn(url, account.email, PASSWORD), 'InvalidCredentialsError');
    for (const to of [account.email, newEmail]) {
      expect((await waitForMail(server.smtp, to, { subject: CHANGED })).parsed.text).toContain(`from ${account.email} to ${newEmail}`);
    }
    const kinds = await db().execute<{ kind: string }[]>(`select "kind" from "security_events" where "user_id" = ? order by "seq"`, [Number(account.user.id)]);
    expect(kinds.map((row) => row.kind)).toEqual(expect.arrayContaining(['EMAIL_CHANGE_REQUESTED', 'EMAIL_CHANGED']));

    expect(await confirm(token)).toEqual(INVALID_LINK);
    expectType((await run(url, ResetPasswordDocument, { input: { token: resetToken, newPassword: 'Fresh-Start-2026' } })).resetPassword, 'InvalidResetTokenError');
    expect(await me(legacy)).toBeNull();
  });

  it('a wrong current password changes nothing and sends nothing; no token is no session', async () => {
    const account = await signUp(url);
    expect(await requestChange(account.token, uniqueEmail(), 'Wrong-Password-1')).toMatchObject({ __typename: 'IncorrectPasswordError' });
    const anonymous = await graphql(url, RequestEmailChangeDocument, { input: { newEmail: uniqueEmail(), currentPassword: PASSWORD } });
    expect(anonymous.data?.requestEmailChange).toMatchObject({ __typename: 'InvalidSessionError' });
    expect(await requestChange(account.token, account.email.toUpperCase())).toMatchObject({ __typename: 'ValidationError' });
  });
});

describe('a taken address', () => {
  it('the same answer and status; its owner hears someone tried; no link, no change', async () => {
    const owner = await signUp(url);
    const account = await signUp(url);
    const response = await graphql(url, RequestEmailChangeDocument, { input: { newEmail: owner.email, currentPassword: PASSWORD } }, { token: account.token });
    expect(response.status).toBe(200);
    expect(response.data?.requestEmailChange).toEqual(REQUESTED);

    const tried = await waitForMail(server.smtp, owner.email, { subject: 'Someone tried to use your email address' });
    expect(tried.parsed.text).not.toContain('https://');
    await waitForMail(server.smtp, account.email, { subject: NOTICE });
    expect(mailsTo(server.smtp, owner.email, CONFIRM)).toHaveLength(0);
    expect(await me(account.token)).toMatchObject({ email: account.email });
    expect(await usersWith(owner.email)).toBe(1);
  });
});

describe('races', () => {
  it('two accounts confirming the same new address at once: one wins, no duplicate', async () => {
    const [first, second] = await Promise.all([signUp(url), signUp(url)]);
    const contested = uniqueEmail('contested');
    expect(await requestChange(first.token, contested)).toEqual(REQUESTED);
    const firstToken = await changeLink(contested, 1);
    expect(await requestChange(second.token, contested)).toEqual(REQUESTED);
    const secondToken = await changeLink(contested, 2);

    const results = await Promise.all([confirm(firstToken), confirm(secondToken)]);
    expect(results.map((result) => result.__typename).sort()).toEqual(['ConfirmEmailChangeSuccess', 'InvalidEmailTokenError']);
    expect(await usersWith(contested)).toBe(1);
    const emails = [(await me(first.token))?.email, (await me(second.token))?.email];
    expect(emails.filter((email) => email === contested)).toHaveLength(1);
  });

  it('one link used five times at once: one change', async () => {
    const account = await signUp(url);
    const newEmail = uniqueEmail('once');
    await requestChange(account.token, newEmail);
    const token = await changeLink(newEmail);
    const results = await Promise.all(Array.from({ length: 5 }, () => confirm(token)));
    expect(results.filter((result) => result.__typename === 'ConfirmEmailChangeSuccess')).toHaveLength(1);
    expect(results.filter((result) => result.__typename === 'InvalidEmailTokenError')).toHaveLength(4);
  });
});

describe('what voids a pending change', () => {
  it('a later password change', async () => {
    const account = await signUp(url);
    const newEmail = uniqueEmail('pending');
    await requestChange(account.token, newEmail);
    const token = await changeLink(newEmail);
    const changed = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Another-Pass-2026' }), 'ChangePasswordSuccess');
    expect(await confirm(token)).toEqual(INVALID_LINK);
    expect(await me(changed.token)).toMatchObject({ email: account.email });
  });

  it('"This wasn\'t me" on the notice before the change: no change, the account is secured', async () => {
    const account = await signUp(url);
    const newEmail = uniqueEmail('intruder');
    await requestChange(account.token, newEmail);
    const token = await changeLink(newEmail);
    const secure = await noticeLink(account.email);
    expectType((await run(url, SecureAccountDocument, { input: { token: secure } })).secureAccount, 'SecureAccountSuccess');
    expect(await confirm(token)).toEqual(INVALID_LINK);
    expect(await usersWith(account.email)).toBe(1);
  });
});

describe('"This wasn\'t me" after the change', () => {
  it('brings the old address back and secures the account: sessions end, the password dies, a reset link goes to the old address', async () => {
    const account = await signUp(url);
    const newEmail = uniqueEmail('hijack');
    await requestChange(account.token, newEmail);
    expectType(await confirm(await changeLink(newEmail)), 'ConfirmEmailChangeSuccess');
    const secure = await noticeLink(account.email);

    expectType((await run(url, SecureAccountDocument, { input: { token: secure } })).secureAccount, 'SecureAccountSuccess');
    expect(await me(account.token)).toBeNull();
    expect(await usersWith(account.email)).toBe(1);
    expect(await usersWith(newEmail)).toBe(0);
    expectType(await signIn(url, account.email, PASSWORD), 'InvalidCredentialsError');
    const reset = seen((await waitForLink(server.smtp, account.email, LINKS.PASSWORD_RESET_URL)).token);
    expectType((await run(url, ResetPasswordDocument, { input: { token: reset, newPassword: 'Mine-Again-2026' } })).resetPassword, 'ResetPasswordSuccess');
    const back = expectType(await signIn(url, account.email, 'Mine-Again-2026'), 'AuthPayload');
    expect(await me(back.token)).toMatchObject({ email: account.email, emailVerified: true });
    // The link works once.
    expectType((await run(url, SecureAccountDocument, { input: { token: secure } })).secureAccount, 'InvalidResetTokenError');
  });
});

describe('tokens at rest', () => {
  it('only hashes in account_tokens, no token in the outbox', async () => {
    const rows = await db().execute<{ payload: string }[]>(`select "payload"::text as "payload" from "outbox"`);
    const hashes = await db().execute<{ token_hash: string }[]>(`select "token_hash" from "account_tokens"`);
    expect(seenTokens.size).toBeGreaterThan(5);
    for (const token of seenTokens) {
      expect(rows.some((row) => row.payload.includes(token))).toBe(false);
      expect(hashes.some((row) => row.token_hash === token)).toBe(false);
    }
  });
});
