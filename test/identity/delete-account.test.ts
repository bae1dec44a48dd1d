import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import {
  DeleteAccountDocument,
  MeDocument,
  RequestEmailChangeDocument,
  RequestPasswordResetDocument,
  SignInDocument,
  VerifyEmailDocument,
} from '../generated/graphql.ts';
import { PASSWORD, changePassword, signIn, signUp } from '../support/accounts.ts';
import { mailsTo, waitForLink, waitForMail } from '../support/email-links.ts';
import { expectType, graphql, run } from '../support/graphql.ts';
import { LINKS, startMailTestServer, type MailTestServer } from '../support/mail-server.ts';
import { sessionClient } from '../support/sessions.ts';

// docs/api/email-address.md#deleting-an-account: nothing of the account stays but its anonymised events.
const LEGACY_JWT_SECRET = 'the-original-login-workflows-secret-32+';
const DELETED = { __typename: 'DeleteAccountSuccess', success: true, message: 'Your account was deleted.' };
const SECOND_PASSWORD = 'Second-Pass-2026';

let server: MailTestServer;
let url: string;
const seenTokens = new Set<string>();

beforeAll(async () => {
  // Deliveries that nothing wakes (a reset request's) wait for this poll: they are still pending when the account goes.
  server = await startMailTestServer({ LEGACY_JWT_SECRET, OUTBOX_POLL_INTERVAL: '10m' });
  url = server.graphqlUrl;
});
afterAll(async () => {
  const log = server.logLines.join('\n');
  for (const token of seenTokens) expect(log).not.toContain(token);
  await server.stop();
});

const db = () => server.rekey.orm.em.fork();
const rows = <T extends object>(sql: string, params: unknown[] = []) => db().execute<T[]>(sql, params);
const count = async (sql: string, params: unknown[]) => Number((await rows<{ n: string }>(sql, params))[0]?.n);
const deleteAccount = async (token: string, currentPassword: string) =>
  (await run(url, DeleteAccountDocument, { input: { currentPassword } }, { token })).deleteAccount;

/** Waits into the next whole second (a legacy token's iat has whole seconds). */
const nextSecond = () => delay(1005 - (Date.now() % 1000));

/** An account with something in every table: two sessions, a device, history, emailed links, events, pending mail. */
async function busyAccount() {
  const account = await signUp(url);
  seenTokens.add((await waitForLink(server.smtp, account.email, LINKS.EMAIL_VERIFICATION_URL)).token);
  const changed = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: SECOND_PASSWORD }), 'ChangePasswordSuccess');
  seenTokens.add((await waitForLink(server.smtp, account.email, LINKS.ACCOUNT_SECURE_URL)).token);
  const laptop = expectType(await signIn(url, account.email, SECOND_PASSWORD), 'AuthPayload');
  // Queued and not yet sent (nothing wakes the worker for it).
  await run(url, RequestPasswordResetDocument, { input: { email: account.email } });
  return { ...account, token: changed.token, refreshToken: changed.refreshToken, laptop };
}

describe('deleteAccount', () => {
  it('leaves nothing of the account in any table but its anonymised events, and its tokens are dead at once', async () => {
    const account = await busyAccount();
    const userId = Number(account.user.id);
    const verification = [...seenTokens][0] as string;
    // A token of the original login that works until the deletion: issued in a later second than the account's last change.
    await nextSecond();
    const legacy = jwt.sign({ sub: account.email, exp: Math.floor(Date.now() / 1000) + 3600 }, LEGACY_JWT_SECRET);
    expect((await run(url, MeDocument, {}, { token: legacy })).me?.email).toBe(account.email);
    const sessionIds = (await rows<{ id: string }>(`select "id" from "sessions" where "user_id" = ?`, [userId])).map((row) => row.id);
    expect(sessionIds.length).toBeGreaterThanOrEqual(2);
    expect(await count(`select count(*) as "n" from "outbox" where "state" = 'pending' and "payload"->>'to' = ?`, [account.email])).toBe(1);
    const eventsBefore = await count(`select count(*) as "n" from "security_events" where "user_id" = ?`, [userId]);

    expect(await deleteAccount(account.token, SECOND_PASSWORD)).toEqual(DELETED);

    // Table by table (every table of the schema is named here, so a new one fails this test until it is considered).
    const tables = (await rows<{ table_name: string }>(
      `select "table_name" from information_schema.tables where "table_schema" = current_schema() and "table_type" = 'BASE TABLE' order by 1`,
    )).map((row) => row.table_name);
    expect(tables).toEqual([
      'account_tokens',
      'device_tokens',
      'mikro_orm_migrations',
      'outbox',
      'password_history',
      'recovery_codes',
      'refresh_tokens',
      'security_events',
      'sessions',
      // The token signing keys: the server's, not any account's.
      'signing_keys',
      'totp_factors',
      'users',
    ]);
    expect(await count(`select count(*) as "n" from "users" where "id" = ? or "email" = ?`, [userId, account.email])).toBe(0);
    expect(await count(`select count(*) as "n" from "sessions" where "user_id" = ?`, [userId])).toBe(0);
    expect(await count(`select count(*) as "n" from "refresh_tokens" where "session_id" in (${sessionIds.map(() => '?').join(', ')})`, sessionIds)).toBe(0);
    expect(await count(`select count(*) as "n" from "password_history" where "user_id" = ?`, [userId])).toBe(0);
    expect(await count(`select count(*) as "n" from "account_tokens" where "user_id" = ?`, [userId])).toBe(0);
    expect(await count(`select count(*) as "n" from "device_tokens" where "user_id" = ?`, [userId])).toBe(0);
    // TOTP data (an account with TOTP on: test/second-factor/totp-address-and-deletion.test.ts).
    expect(await count(`select count(*) as "n" from "totp_factors" where "user_id" = ?`, [userId])).toBe(0);
    expect(await count(`select count(*) as "n" from "recovery_codes" where "user_id" = ?`, [userId])).toBe(0);
    // The events stay (until SECURITY_EVENT_RETENTION), with ACCOUNT_DELETED, and none names the account.
    const orphaned = await rows<{ kind: string; text: string }>(`select "kind", e::text as "text" from "security_events" e where "user_id" is null`);
    expect(orphaned).toHaveLength(eventsBefore + 1);
    expect(orphaned.map((row) => row.kind)).toContain('ACCOUNT_DELETED');
    expect(orphaned.some((row) => row.text.includes(account.email))).toBe(false);
    // The outbox holds the goodbye only: the pending reset email is dropped, the delivered ones' payloads too.
    const messages = await rows<{ kind: string; template: string }>(
      `select e."kind", o."payload"->>'template' as "template" from "outbox" o join "security_events" e on e."id" = o."event_id" where o."payload"::text like ?`,
      [`%${account.email}%`],
    );
    expect(messages).toEqual([{ kind: 'ACCOUNT_DELETED', template: 'account-deleted' }]);
    // No other row anywhere holds the address.
    for (const table of ['account_tokens', 'device_tokens', 'password_history', 'refresh_tokens', 'sessions', 'users']) {
      expect(await count(`select count(*) as "n" from "${table}" t where t::text like ?`, [`%${account.email}%`])).toBe(0);
    }

    const sessions = sessionClient(url);
    expect(await sessions.me(account.token)).toBeNull();
    expect(await sessions.me(account.laptop.token)).toBeNull();
    expectType(await sessions.refresh(account.refreshToken ?? ''), 'InvalidSessionError');
    expect(await sessions.me(legacy)).toBeNull();
    expectType((await run(url, VerifyEmailDocument, { input: { token: verification } })).verifyEmail, 'InvalidEmailTokenError');

    const goodbye = await waitForMail(server.smtp, account.email, { subject: 'Your account was deleted' });
    expect(goodbye.parsed.text).toContain(account.email);
    expect(mailsTo(server.smtp, account.email, 'Reset your password')).toHaveLength(0);

    // The address signs up afresh: a new account that inherits nothing (the old device and the old login's token stay dead).
    await nextSecond();
    const again = await signUp(url, account.email);
    expect(Number(again.user.id)).not.toBe(userId);
    expect(await sessions.me(legacy)).toBeNull();
    const withOldDevice = (await run(url, SignInDocument, { input: { email: account.email, password: PASSWORD, deviceToken: account.laptop.deviceToken } })).signIn;
    expect(withOldDevice.__typename).toBe('AuthPayload');
    if (withOldDevice.__typename === 'AuthPayload') expect(withOldDevice.deviceToken).not.toBe(account.laptop.deviceToken);
  });

  it('a wrong password deletes nothing; without a session there is nothing to delete', async () => {
    const account = await signUp(url);
    expect(await deleteAccount(account.token, 'Wrong-Password-1')).toMatchObject({ __typename: 'IncorrectPasswordError' });
    expect((await run(url, MeDocument, {}, { token: account.token })).me?.email).toBe(account.email);
    const anonymous = await graphql(url, DeleteAccountDocument, { input: { currentPassword: PASSWORD } });
    expect(anonymous.data?.deleteAccount).toMatchObject({ __typename: 'InvalidSessionError' });
  });

  it('drops a pending change of address with the account', async () => {
    const account = await signUp(url);
    expectType(
      (await run(url, RequestEmailChangeDocument, { input: { newEmail: `next.${account.email}`, currentPassword: PASSWORD } }, { token: account.token }))
        .requestEmailChange,
      'RequestEmailChangeSuccess',
    );
    const link = await waitForLink(server.smtp, `next.${account.email}`, LINKS.EMAIL_CHANGE_URL);
    seenTokens.add(link.token);
    expect(await deleteAccount(account.token, PASSWORD)).toEqual(DELETED);
    const { ConfirmEmailChangeDocument } = await import('../generated/graphql.ts');
    expectType((await run(url, ConfirmEmailChangeDocument, { input: { token: link.token } })).confirmEmailChange, 'InvalidEmailTokenError');
  });
});
