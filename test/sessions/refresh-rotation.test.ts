import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PASSWORD, changePassword, signUp } from '../support/accounts.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';

// A rotation is one statement that locks the session, then the token (refresh-token.repository.ts):
// these races are what it must get right on PostgreSQL, where requests really run at once.
let server: TestServer;
let client: ReturnType<typeof sessionClient>;
beforeAll(async () => {
  server = await startTestServer({ REFRESH_RATE_LIMIT: '10000' }, { useRedis: true });
  client = sessionClient(server.graphqlUrl);
}, 180_000);
afterAll(() => server?.close(), 60_000);

const sql = (text: string, params: unknown[] = []) => server.rekey.orm.em.fork().execute(text, params);
const tokenCounts = async (sessionId: string) =>
  (await sql(`select count(*)::int as "all", (count(*) - count("used_at"))::int as "live" from "refresh_tokens" where "session_id" = ?`, [sessionId]))[0];
/** As if every token of the session had been traded in a minute ago: beyond REFRESH_REUSE_GRACE (10 s). */
const pastTheGrace = (sessionId: string) =>
  sql(`update "refresh_tokens" set "used_at" = "used_at" - interval '1 minute' where "session_id" = ? and "used_at" is not null`, [sessionId]);

describe('refreshSession under concurrency', () => {
  it('answers every concurrent refresh of one token within the grace with the same successor; the token is spent once', async () => {
    const account = await signUp(server.graphqlUrl);
    const results = await Promise.all(Array.from({ length: 12 }, () => client.refresh(account.refreshToken!)));
    const pairs = results.map((result) => expectType(result, 'AuthPayload'));
    // Two tabs both stay signed in, on one chain: every answer carries the one token that replaced the presented one.
    expect(new Set(pairs.map((pair) => pair.refreshToken)).size).toBe(1);
    for (const pair of pairs) expect(pair.session.id).toBe(account.session.id);
    for (const pair of pairs) expect((await client.me(pair.token))?.email).toBe(account.email);
    expect(await tokenCounts(account.session.id)).toEqual({ all: 2, live: 1 });
    expect(expectType(await client.refresh(pairs[0]!.refreshToken!), 'AuthPayload').session.id).toBe(account.session.id);
  });

  it('rotates refreshes of many sessions that arrive together, each against its own token, session and account', async () => {
    // Embedded PGlite runs refreshes that arrive together as one statement: each answer must still be its own.
    const accounts = await Promise.all(Array.from({ length: 8 }, () => signUp(server.graphqlUrl)));
    const [spent] = accounts;
    const second = expectType(await client.refresh(spent!.refreshToken!), 'AuthPayload');
    const [unknown, replayed, ...live] = await Promise.all([
      client.refresh('an-unknown-refresh-token'),
      // Traded in a moment ago (within the grace): a new access token and the successor already issued.
      client.refresh(spent!.refreshToken!),
      client.refresh(second.refreshToken!),
      ...accounts.slice(1).map((account) => client.refresh(account.refreshToken!)),
    ]);
    expect(unknown!.__typename).toBe('InvalidSessionError');
    expect(expectType(replayed!, 'AuthPayload').session.id).toBe(spent!.session.id);
    expect(expectType(replayed!, 'AuthPayload').refreshToken).toBe(second.refreshToken);
    const owners = [spent!, ...accounts.slice(1)];
    const pairs = live.map((result) => expectType(result, 'AuthPayload'));
    pairs.forEach((pair, index) => {
      expect(pair.session.id).toBe(owners[index]!.session.id);
      expect(pair.user.email).toBe(owners[index]!.email);
      expect(pair.refreshToken).not.toBe(owners[index]!.refreshToken);
    });
    for (const [index, pair] of pairs.entries()) {
      expect((await client.me(pair.token))?.email).toBe(owners[index]!.email);
      expect(expectType(await client.refresh(pair.refreshToken!), 'AuthPayload').session.id).toBe(owners[index]!.session.id);
    }
  });

  it('leaves no refresh token from before a password change usable, whichever of the two commits first', async () => {
    const NEW_PASSWORD = 'Raced-Change-Pass-7';
    for (let round = 0; round < 6; round += 1) {
      const account = await signUp(server.graphqlUrl);
      const [changed, ...refreshed] = await Promise.all([
        changePassword(server.graphqlUrl, account.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
        ...Array.from({ length: 4 }, () => client.refresh(account.refreshToken!)),
      ]);
      const success = expectType(changed, 'ChangePasswordSuccess');
      const pairs = refreshed.flatMap((result) => {
        // Typed answers only: a deadlock or a crash would surface here.
        expect(['AuthPayload', 'InvalidSessionError']).toContain(result.__typename);
        return result.__typename === 'AuthPayload' ? [result] : [];
      });
      // A pair issued before the change belongs to the old generation: both of its tokens are dead now.
      for (const pair of pairs) {
        expect((await client.refresh(pair.refreshToken!)).__typename).toBe('InvalidSessionError');
        expect(await client.me(pair.token)).toBeNull();
      }
      expect((await client.refresh(account.refreshToken!)).__typename).toBe('InvalidSessionError');
      // The change's own pair works; the session was never revoked as stolen.
      expect(expectType(await client.refresh(success.refreshToken!), 'AuthPayload').session.id).toBe(account.session.id);
      const [row] = await sql(`select "revoked_at" from "sessions" where "id" = ?`, [account.session.id]);
      expect(row).toEqual({ revoked_at: null });
    }
  });
});

describe('a refresh token replayed within the grace', () => {
  it('keeps the session one chain: replays get the successor, and any token but the newest is reuse afterwards', async () => {
    const account = await signUp(server.graphqlUrl);
    const successor = expectType(await client.refresh(account.refreshToken!), 'AuthPayload');
    const replays = [];
    for (let replay = 0; replay < 3; replay += 1) replays.push(expectType(await client.refresh(account.refreshToken!), 'AuthPayload'));
    for (const replay of replays) expect(replay.refreshToken).toBe(successor.refreshToken);
    expect(await tokenCounts(account.session.id)).toEqual({ all: 2, live: 1 });
    // The chain moves on; later, a replay's token (the spent successor) is a copy: the session ends.
    const newest = expectType(await client.refresh(replays[2]!.refreshToken!), 'AuthPayload');
    await pastTheGrace(account.session.id);
    expect((await client.refresh(replays[0]!.refreshToken!)).__typename).toBe('InvalidSessionError');
    expect((await client.refresh(newest.refreshToken!)).__typename).toBe('InvalidSessionError');
    const [row] = await sql(`select "revoked_reason" from "sessions" where "id" = ?`, [account.session.id]);
    expect(row).toEqual({ revoked_reason: 'refresh_token_reused' });
  });

  it('ends the session when the first token comes back after the grace, however many replays it had', async () => {
    const account = await signUp(server.graphqlUrl);
    const successor = expectType(await client.refresh(account.refreshToken!), 'AuthPayload');
    for (let replay = 0; replay < 3; replay += 1) expectType(await client.refresh(account.refreshToken!), 'AuthPayload');
    await pastTheGrace(account.session.id);
    expect((await client.refresh(account.refreshToken!)).__typename).toBe('InvalidSessionError');
    expect((await client.refresh(successor.refreshToken!)).__typename).toBe('InvalidSessionError');
    expect(await client.me(successor.token)).toBeNull();
  });
});
