import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLogger } from '../../src/observability/logging.ts';
import { RetentionSweep } from '../../src/events/retention-sweep.ts';
import { ChangePasswordDocument, SecurityEventsDocument } from '../generated/graphql.ts';
import { PASSWORD, changePassword, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { expectType, graphql, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';

// No notification channel is configured here: this file is about what is recorded, and when.
let server: TestServer;
let url: string;
beforeAll(async () => {
  server = await startTestServer({ LOCKOUT_THRESHOLD: '3' });
  url = server.graphqlUrl;
});
afterAll(() => server.close());

const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) RekeyTest/1.0';
const asBrowser = { headers: { 'user-agent': BROWSER } };

const db = () => server.rekey.orm.em.fork();

async function kinds(userId: string): Promise<string[]> {
  const rows = await db().execute<{ kind: string }[]>(`select "kind" from "security_events" where "user_id" = ? order by "seq"`, [Number(userId)]);
  return rows.map((row) => row.kind);
}

async function totalEvents(): Promise<number> {
  const [row] = await db().execute<{ count: string }[]>(`select count(*) as "count" from "security_events"`);
  return Number(row?.count);
}

describe('security events: each outcome recorded exactly once', () => {
  it('signUp records SIGNED_UP with the client address and user agent', async () => {
    const account = await signUp(url, uniqueEmail(), PASSWORD);
    expect(await kinds(account.user.id)).toEqual(['SIGNED_UP']);
    const [event] = await db().execute<{ ip_address: string; user_agent: string | null; session_id: string | null }[]>(
      `select "ip_address", "user_agent", "session_id" from "security_events" where "user_id" = ?`,
      [Number(account.user.id)],
    );
    // The session the sign-up started.
    expect(event).toEqual({ ip_address: '127.0.0.1', user_agent: 'node', session_id: account.session.id });
  });

  it('signIn records SIGNED_IN, a wrong password SIGN_IN_FAILED, an unknown email nothing', async () => {
    const account = await signUp(url);
    expectType(await signIn(url, account.email, PASSWORD, asBrowser), 'AuthPayload');
    expectType(await signIn(url, account.email, 'Wrong-Pass-123', asBrowser), 'InvalidCredentialsError');
    expect(await kinds(account.user.id)).toEqual(['SIGNED_UP', 'SIGNED_IN', 'SIGN_IN_FAILED']);

    const before = await totalEvents();
    expectType(await signIn(url, uniqueEmail('nobody'), 'Wrong-Pass-123'), 'InvalidCredentialsError');
    expect(await totalEvents()).toBe(before);
  });

  it('changePassword records PASSWORD_CHANGED on success and PASSWORD_CHANGE_FAILED for a wrong current password; policy refusals record nothing', async () => {
    const account = await signUp(url);
    expectType(await changePassword(url, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' }), 'IncorrectPasswordError');
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'weak' }), 'WeakPasswordError');
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: PASSWORD }), 'PasswordReusedError');
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }, asBrowser), 'ChangePasswordSuccess');
    expect(await kinds(account.user.id)).toEqual(['SIGNED_UP', 'PASSWORD_CHANGE_FAILED', 'PASSWORD_CHANGED']);
    const [changed] = await db().execute<{ user_agent: string }[]>(
      `select "user_agent" from "security_events" where "user_id" = ? and "kind" = 'PASSWORD_CHANGED'`,
      [Number(account.user.id)],
    );
    expect(changed?.user_agent).toBe(BROWSER);
  });

  it('the failure that starts a block also records ACCOUNT_LOCKED; refused attempts record nothing', async () => {
    const account = await signUp(url);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expectType(await signIn(url, account.email, `Wrong-Pass-${attempt}`), 'InvalidCredentialsError');
    }
    expectType(await signIn(url, account.email, PASSWORD), 'RateLimitedError');
    expect(await kinds(account.user.id)).toEqual(['SIGNED_UP', 'SIGN_IN_FAILED', 'SIGN_IN_FAILED', 'SIGN_IN_FAILED', 'ACCOUNT_LOCKED']);
  });

  it('of three concurrent changes, only the winner of the compare-and-set writes PASSWORD_CHANGED', async () => {
    const account = await signUp(url);
    // Three devices: the winner renews only its own session, so a loser that reads its session late
    // still reaches the compare-and-set (one shared session would be renewed under it).
    const others = await Promise.all([1, 2].map(async () => expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload').token));
    const results = await Promise.all(
      ['Winner-One-111!', 'Winner-Two-222!', 'Winner-Three-333!'].map((newPassword, index) =>
        changePassword(url, [account.token, ...others][index] ?? null, { currentPassword: PASSWORD, newPassword, revokeOtherSessions: false }),
      ),
    );
    expect(results.filter((result) => result.__typename === 'ChangePasswordSuccess')).toHaveLength(1);
    const recorded = await kinds(account.user.id);
    expect(recorded.filter((kind) => kind === 'PASSWORD_CHANGED')).toHaveLength(1);
    expect(recorded.filter((kind) => kind === 'PASSWORD_CHANGE_FAILED')).toHaveLength(2);
  });

  it('the workflow-compatible REST route records PASSWORD_CHANGED too', async () => {
    const account = await signUp(url);
    const response = await fetch(`${server.url}/api/v1/change-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': BROWSER },
      body: JSON.stringify({ jwt: account.token, currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }),
    });
    expect(response.status).toBe(200);
    // The route ends every session, the caller's too.
    expect(await kinds(account.user.id)).toEqual(['SIGNED_UP', 'SESSION_REVOKED', 'PASSWORD_CHANGED']);
  });

  it('keeps at most 512 characters of a user agent', async () => {
    const account = await signUp(url);
    expectType(await signIn(url, account.email, PASSWORD, { headers: { 'user-agent': `A${'x'.repeat(2_000)}` } }), 'AuthPayload');
    const [row] = await db().execute<{ user_agent: string }[]>(
      `select "user_agent" from "security_events" where "user_id" = ? and "kind" = 'SIGNED_IN'`,
      [Number(account.user.id)],
    );
    expect(row?.user_agent).toHaveLength(512);
  });
});

describe('security events: sessions ending', () => {
  it('signOut records SIGNED_OUT, revokeSession and a password change SESSION_REVOKED, each with the session it ended', async () => {
    const account = await signUp(url, uniqueEmail(), PASSWORD);
    const sessions = sessionClient(url);
    const second = expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    const third = expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    const fourth = expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');

    expectType(await sessions.revoke(account.token, second.session.id), 'SignOutSuccess');
    expectType(await sessions.signOut(third.token), 'SignOutSuccess');
    // The first device changes the password and signs the fourth out.
    expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }), 'ChangePasswordSuccess');

    const rows = await db().execute<{ kind: string; session_id: string | null }[]>(
      `select "kind", "session_id" from "security_events" where "user_id" = ? and "kind" in ('SESSION_REVOKED', 'SIGNED_OUT') order by "seq"`,
      [Number(account.user.id)],
    );
    expect(rows).toEqual([
      { kind: 'SESSION_REVOKED', session_id: second.session.id },
      { kind: 'SIGNED_OUT', session_id: third.session.id },
      { kind: 'SESSION_REVOKED', session_id: fourth.session.id },
    ]);
  });
});

describe('security events: in the same transaction as the change', () => {
  it('when the event cannot be written, the password change is rolled back too', async () => {
    const account = await signUp(url);
    // Make the event insert fail after the compare-and-set update has run in the same transaction.
    await db().execute(`alter table "security_events" add constraint "refuse_password_changed" check ("kind" <> 'PASSWORD_CHANGED') not valid`);
    try {
      const input = { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' };
      const response = await graphql(url, ChangePasswordDocument, { input }, { token: account.token });
      expect(response.errors?.[0]?.message).toBe('Unexpected error.');
    } finally {
      await db().execute(`alter table "security_events" drop constraint "refuse_password_changed"`);
    }
    expect(await kinds(account.user.id)).toEqual(['SIGNED_UP']);
    // The old password still works, the new one does not: nothing of the change was kept.
    expectType(await signIn(url, account.email, PASSWORD), 'AuthPayload');
    expectType(await signIn(url, account.email, 'Brand-New-Pass-7'), 'InvalidCredentialsError');
  });
});

describe('User.securityEvents', () => {
  it("lists the viewer's own events newest first, a page at a time", async () => {
    const account = await signUp(url);
    const other = await signUp(url);
    expectType(await signIn(url, other.email, PASSWORD), 'AuthPayload');
    expectType(await signIn(url, account.email, 'Wrong-Pass-123', asBrowser), 'InvalidCredentialsError');
    expectType(await signIn(url, account.email, PASSWORD, asBrowser), 'AuthPayload');

    const first = (await run(url, SecurityEventsDocument, { first: 2 }, { token: account.token })).me?.securityEvents;
    expect(first?.edges.map((edge) => edge.node.kind)).toEqual(['SIGNED_IN', 'SIGN_IN_FAILED']);
    expect(first?.edges[0]?.node).toMatchObject({ ipAddress: '127.0.0.1', userAgent: BROWSER });
    expect(first?.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

    const second = (await run(url, SecurityEventsDocument, { first: 2, after: first?.pageInfo.endCursor }, { token: account.token })).me
      ?.securityEvents;
    expect(second?.edges.map((edge) => edge.node.kind)).toEqual(['SIGNED_UP']);
    expect(second?.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    // Without `first`: 20, all of them here; ids are unique and none is another account's.
    const all = (await run(url, SecurityEventsDocument, {}, { token: account.token })).me?.securityEvents.edges ?? [];
    expect(all).toHaveLength(3);
    expect(new Set(all.map((edge) => edge.node.id)).size).toBe(3);
  });

  it('reduces first above 100 to 100', async () => {
    const account = await signUp(url);
    await db().execute(
      `insert into "security_events" ("id", "user_id", "kind") select gen_random_uuid(), ?, 'SIGNED_IN' from generate_series(1, 105)`,
      [Number(account.user.id)],
    );
    const page = (await run(url, SecurityEventsDocument, { first: 500 }, { token: account.token })).me?.securityEvents;
    expect(page?.edges).toHaveLength(100);
    expect(page?.pageInfo.hasNextPage).toBe(true);
  });

  it('refuses a negative first and a cursor it did not issue with VALIDATION_FAILED', async () => {
    const account = await signUp(url);
    for (const variables of [{ first: -1 }, { after: 'bm90LWEtY3Vyc29y' }]) {
      const response = await graphql(url, SecurityEventsDocument, variables, { token: account.token });
      expect(response.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
      expect(response.data?.me).toBeNull();
    }
  });

  it('is not readable without a token', async () => {
    expect((await run(url, SecurityEventsDocument, {})).me).toBeNull();
  });
});

describe('retention sweep', () => {
  it('deletes events older than SECURITY_EVENT_RETENTION and keeps newer ones', async () => {
    const account = await signUp(url);
    await db().execute(
      `insert into "security_events" ("id", "user_id", "kind", "occurred_at") values (gen_random_uuid(), ?, 'SIGNED_IN', now() - interval '401 days')`,
      [Number(account.user.id)],
    );
    expect(await kinds(account.user.id)).toHaveLength(2);
    const sweep = new RetentionSweep(server.rekey.orm, server.config.notifications, createLogger('silent'));
    expect(await sweep.runOnce()).toBeGreaterThanOrEqual(1);
    expect(await kinds(account.user.id)).toEqual(['SIGNED_UP']);
  });
});
