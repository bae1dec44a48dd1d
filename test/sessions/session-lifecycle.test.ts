import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/observability/logging.ts';
import { PASSWORD, signIn, signUp } from '../support/accounts.ts';
import { fromAddress, uniqueAddress } from '../support/addresses.ts';
import { expectType, type RequestOptions } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';

// One server: a 1 s reuse grace, at most 3 sessions per account, and every log line captured.
const MAX_SESSIONS = 3;
let server: TestServer;
let client: ReturnType<typeof sessionClient>;
const logged: string[] = [];
beforeAll(async () => {
  server = await startTestServer(
    { TRUST_PROXY: '1', REFRESH_REUSE_GRACE: '1s', MAX_SESSIONS_PER_USER: String(MAX_SESSIONS), REFRESH_RATE_LIMIT: '10000' },
    { useRedis: true, log: createLogger('debug', (_level, line) => logged.push(line)) },
  );
  client = sessionClient(server.graphqlUrl);
}, 180_000);
afterAll(() => server?.close(), 60_000);

const signedIn = async (email: string, options: RequestOptions = fromAddress(uniqueAddress())) =>
  expectType(await signIn(server.graphqlUrl, email, PASSWORD, options), 'AuthPayload');
const sql = (text: string, params: unknown[] = []) => server.rekey.orm.em.fork().execute(text, params);
const issuedTokens: string[] = [];
const keep = <T extends { refreshToken?: string | null }>(payload: T) => {
  if (payload.refreshToken) issuedTokens.push(payload.refreshToken);
  return payload;
};

describe('sign-in starts a session', () => {
  it('returns an access token, a refresh token and the session, marked current', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const session = keep(await signedIn(account.email, { headers: { 'x-forwarded-for': '198.51.100.7', 'user-agent': 'Firefox/140' } }));
    expect(session.refreshToken).toMatch(/^[\w-]{43}$/);
    expect(session.session).toMatchObject({ current: true, ipAddress: '198.51.100.7', userAgent: 'Firefox/140' });
    // SESSION_TTL (default 30 days) from the start; the refresh token lasts as long as the session.
    const lifetime = Date.parse(session.session.expiresAt) - Date.parse(session.session.createdAt);
    expect(lifetime).toBe(30 * 86_400_000);
    expect(session.refreshExpiresAt).toBe(session.session.expiresAt);
    expect((await client.me(session.token))?.email).toBe(account.email);
  });
});

describe('refreshSession rotates', () => {
  it('trades a refresh token for a working pair, and the old token is spent', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const first = expectType(await client.refresh(account.refreshToken!), 'AuthPayload');
    keep(first);
    expect(first.session.id).toBe(account.session.id);
    expect(first.refreshToken).not.toBe(account.refreshToken);
    expect((await client.me(first.token))?.id).toBe(account.user.id);
    const second = keep(expectType(await client.refresh(first.refreshToken!), 'AuthPayload'));
    expect(second.session.id).toBe(account.session.id);
    // A refresh does not end the session's older access tokens: they live out JWT_TTL.
    expect((await client.me(account.token))?.id).toBe(account.user.id);
  });

  it('revokes the session when a rotated token is replayed after the grace, killing its access tokens too', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const rotated = keep(expectType(await client.refresh(account.refreshToken!), 'AuthPayload'));
    await sleep(1_200); // REFRESH_REUSE_GRACE is 1 s: time itself is what is tested
    const replay = await client.refresh(account.refreshToken!);
    expect(replay).toMatchObject({ __typename: 'InvalidSessionError', code: 'INVALID_SESSION', message: 'Invalid or expired session.' });
    // The thief and the owner are both out: every token of the session is dead.
    expect((await client.refresh(rotated.refreshToken!)).__typename).toBe('InvalidSessionError');
    expect(await client.me(rotated.token)).toBeNull();
    expect(await client.me(account.token)).toBeNull();
    const [row] = await sql(`select "revoked_reason" from "sessions" where "id" = ?`, [account.session.id]);
    expect(row).toEqual({ revoked_reason: 'refresh_token_reused' });
  });

  it('answers 20 concurrent refreshes of one token with typed results; a replay after the grace still ends the session', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const results = await Promise.all(Array.from({ length: 20 }, () => client.refresh(account.refreshToken!)));
    const kinds = new Set(results.map((result) => result.__typename));
    for (const kind of kinds) expect(['AuthPayload', 'InvalidSessionError']).toContain(kind);
    const pairs = results.filter((result) => result.__typename === 'AuthPayload');
    // At least the winner; the others within the 1 s grace (a second tab) get the same successor: one chain.
    expect(pairs.length).toBeGreaterThanOrEqual(1);
    expect(new Set(pairs.map((pair) => pair.refreshToken)).size).toBe(1);
    for (const pair of pairs) keep(pair);
    await sleep(1_200);
    expect((await client.refresh(account.refreshToken!)).__typename).toBe('InvalidSessionError');
    for (const pair of pairs) expect(await client.me(pair.token)).toBeNull();
  });

  it('refuses unknown, empty and missing refresh tokens with typed answers', async () => {
    expect((await client.refresh('A'.repeat(43))).__typename).toBe('InvalidSessionError');
    expect(await client.refresh('')).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['refreshToken'] }] });
    expect(await client.refresh(null)).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['refreshToken'] }] });
    expect((await client.refresh('x'.repeat(300))).__typename).toBe('ValidationError');
  });
});

describe('a session ends', () => {
  it('when idle longer than SESSION_IDLE_TIMEOUT', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    // Seven days and a minute without a refresh, by the database's clock.
    await sql(`update "sessions" set "last_active_at" = now() - interval '7 days 1 minute' where "id" = ?`, [account.session.id]);
    expect(await client.me(account.token)).toBeNull();
    expect((await client.refresh(account.refreshToken!)).__typename).toBe('InvalidSessionError');
  });

  it('at its absolute expiry, however active', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    await sql(`update "sessions" set "expires_at" = now() - interval '1 second' where "id" = ?`, [account.session.id]);
    expect(await client.me(account.token)).toBeNull();
    expect((await client.refresh(account.refreshToken!)).__typename).toBe('InvalidSessionError');
  });

  it('when a new one goes beyond MAX_SESSIONS_PER_USER: the least recently active first', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const devices: { token: string }[] = [account];
    for (let i = 1; i < MAX_SESSIONS; i += 1) devices.push(keep(await signedIn(account.email)));
    // The first device was active most recently; the second is the least recently active.
    const refreshed = keep(expectType(await client.refresh(account.refreshToken!), 'AuthPayload'));
    const newest = keep(await signedIn(account.email));
    expect(await client.me(devices[1]!.token)).toBeNull();
    expect((await client.me(refreshed.token))?.id).toBe(account.user.id);
    expect((await client.me(devices[2]!.token))?.id).toBe(account.user.id);
    expect((await client.me(newest.token))?.id).toBe(account.user.id);
    expect(await client.sessions(newest.token)).toHaveLength(MAX_SESSIONS);
  });
});

describe('signOut', () => {
  it('ends this session only', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const other = keep(await signedIn(account.email));
    expect(await client.signOut(account.token)).toEqual({ __typename: 'SignOutSuccess', success: true, revokedSessions: 1 });
    expect(await client.me(account.token)).toBeNull();
    expect((await client.refresh(account.refreshToken!)).__typename).toBe('InvalidSessionError');
    expect((await client.me(other.token))?.id).toBe(account.user.id);
    // Signed out is signed out: a second call has no session.
    expect((await client.signOut(account.token)).__typename).toBe('InvalidSessionError');
  });

  it('everywhere ends every session of the account', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const other = keep(await signedIn(account.email));
    expect(await client.signOut(other.token, true)).toEqual({ __typename: 'SignOutSuccess', success: true, revokedSessions: 2 });
    expect(await client.me(account.token)).toBeNull();
    expect(await client.me(other.token)).toBeNull();
    expect((await client.refresh(other.refreshToken!)).__typename).toBe('InvalidSessionError');
  });

  it('answers InvalidSessionError without a token', async () => {
    expect((await sessionClient(server.graphqlUrl).signOut('')).__typename).toBe('InvalidSessionError');
  });
});

describe('listing and revoking sessions', () => {
  it("lists the viewer's active sessions, most recent first, with the current one marked", async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const phone = keep(await signedIn(account.email));
    const ended = keep(await signedIn(account.email));
    await client.signOut(ended.token);
    const listed = await client.sessions(account.token);
    expect(listed?.map((session) => session.id)).toEqual([phone.session.id, account.session.id]);
    expect(listed?.map((session) => session.current)).toEqual([false, true]);
  });

  it("answers SessionNotFoundError for another account's session, which keeps working", async () => {
    const owner = keep(await signUp(server.graphqlUrl));
    const stranger = keep(await signUp(server.graphqlUrl));
    expect(await client.revoke(stranger.token, owner.session.id)).toMatchObject({
      __typename: 'SessionNotFoundError',
      code: 'SESSION_NOT_FOUND',
      message: 'Session not found.',
    });
    expect((await client.me(owner.token))?.id).toBe(owner.user.id);
    // An id that exists nowhere gets the very same answer; a malformed one a ValidationError.
    expect(await client.revoke(stranger.token, '00000000-0000-4000-8000-000000000000')).toMatchObject({ __typename: 'SessionNotFoundError' });
    expect(await client.revoke(stranger.token, "1' or '1'='1")).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['sessionId'] }] });
  });

  it('revokes one of the viewer\'s own sessions, the current one included', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const laptop = keep(await signedIn(account.email));
    expect(await client.revoke(account.token, laptop.session.id)).toEqual({ __typename: 'SignOutSuccess', success: true, revokedSessions: 1 });
    expect(await client.me(laptop.token)).toBeNull();
    expect((await client.revoke(account.token, laptop.session.id)).__typename).toBe('SessionNotFoundError');
    expect((await client.revoke(account.token, account.session.id)).__typename).toBe('SignOutSuccess');
    expect(await client.me(account.token)).toBeNull();
  });
});

describe('the sweep', () => {
  it('deletes sessions ended longer than SESSION_RETENTION ago, with their refresh tokens, and keeps the rest', async () => {
    const account = keep(await signUp(server.graphqlUrl));
    const recent = keep(await signedIn(account.email));
    const old = keep(await signedIn(account.email));
    await client.signOut(recent.token);
    await client.signOut(old.token);
    await sql(`update "sessions" set "revoked_at" = now() - interval '8 days' where "id" = ?`, [old.session.id]);
    expect(await server.rekey.sweepSessions()).toBeGreaterThanOrEqual(1);
    const left = await sql(`select "id" from "sessions" where "id" in (?, ?, ?)`, [account.session.id, recent.session.id, old.session.id]);
    expect(left.map((row) => (row as { id: string }).id).sort()).toEqual([account.session.id, recent.session.id].sort());
    expect(await sql(`select 1 from "refresh_tokens" where "session_id" = ?`, [old.session.id])).toEqual([]);
    // Idempotent: a second sweep (another instance) finds nothing more of these.
    await server.rekey.sweepSessions();
    expect(await sql(`select 1 from "sessions" where "id" = ?`, [recent.session.id])).toHaveLength(1);
  });
});

describe('logs', () => {
  it('never carry a refresh token', () => {
    expect(issuedTokens.length).toBeGreaterThan(10);
    const all = logged.join('\n');
    for (const token of issuedTokens) expect(all).not.toContain(token);
  });
});
