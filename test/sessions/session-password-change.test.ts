import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PASSWORD, changePassword, signIn, signUp } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';

// Two instances on one database when DATABASE_URL names a PostgreSQL server (PGlite is one process by construction).
const shared = Boolean(process.env.DATABASE_URL);
let database: TestDatabase;
let server: TestServer;
let other: TestServer | null = null;
let client: ReturnType<typeof sessionClient>;
beforeAll(async () => {
  database = await createTestDatabase();
  server = await startTestServer({}, { database, useRedis: true });
  if (shared) other = await startTestServer({}, { database, useRedis: true });
  client = sessionClient(server.graphqlUrl);
}, 240_000);
afterAll(async () => {
  await other?.close();
  await server?.close();
  await database?.drop();
}, 60_000);

const NEW_PASSWORD = 'Brand-New-Pass-7';
const secondDevice = async (email: string) => expectType(await signIn(server.graphqlUrl, email, PASSWORD), 'AuthPayload');

describe('changePassword and sessions', () => {
  it('keeps the caller signed in with fresh tokens while a second device is signed out', async () => {
    const caller = await signUp(server.graphqlUrl);
    const phone = await secondDevice(caller.email);
    const changed = expectType(
      await changePassword(server.graphqlUrl, caller.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
      'ChangePasswordSuccess',
    );
    // The answer's tokens work at once.
    expect((await client.me(changed.token))?.id).toBe(caller.user.id);
    const refreshed = expectType(await client.refresh(changed.refreshToken!), 'AuthPayload');
    expect(refreshed.session.id).toBe(caller.session.id);
    // The caller's old access and refresh tokens are dead.
    expect(await client.me(caller.token)).toBeNull();
    expect((await client.refresh(caller.refreshToken!)).__typename).toBe('InvalidSessionError');
    // The other device is out.
    expect(await client.me(phone.token)).toBeNull();
    expect((await client.refresh(phone.refreshToken!)).__typename).toBe('InvalidSessionError');
    expect((await client.sessions(refreshed.token))?.map((session) => session.id)).toEqual([caller.session.id]);
  });

  it('keeps the other devices with revokeOtherSessions: false, and still renews the caller', async () => {
    const caller = await signUp(server.graphqlUrl);
    const phone = await secondDevice(caller.email);
    const changed = expectType(
      await changePassword(server.graphqlUrl, caller.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD, revokeOtherSessions: false }),
      'ChangePasswordSuccess',
    );
    expect((await client.me(phone.token))?.id).toBe(caller.user.id);
    expectType(await client.refresh(phone.refreshToken!), 'AuthPayload');
    expect(await client.me(caller.token)).toBeNull();
    expect((await client.me(changed.token))?.id).toBe(caller.user.id);
  });

  it('commits the password and the session changes together: a failed revocation leaves the old password in place', async () => {
    const caller = await signUp(server.graphqlUrl);
    const phone = await secondDevice(caller.email);
    // A real database fault on the session update that follows the compare-and-set password update.
    const db = server.rekey.orm.em.fork();
    await db.execute(`create function refuse_session_update() returns trigger language plpgsql as $$ begin raise exception 'sessions are read-only'; end $$`);
    await db.execute(`create trigger refuse_session_update before update on "sessions" for each row execute function refuse_session_update()`);
    let result: Awaited<ReturnType<typeof changePassword>> | Error;
    try {
      result = await changePassword(server.graphqlUrl, caller.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }).catch((error: Error) => error);
    } finally {
      await db.execute(`drop trigger refuse_session_update on "sessions"`);
      await db.execute(`drop function refuse_session_update()`);
    }
    expect(result).toBeInstanceOf(Error);
    // Rolled back whole: the old password still signs in, the new one does not, and both devices stay signed in.
    expectType(await signIn(server.graphqlUrl, caller.email, PASSWORD), 'AuthPayload');
    expect((await signIn(server.graphqlUrl, caller.email, NEW_PASSWORD)).__typename).toBe('InvalidCredentialsError');
    expect((await client.me(caller.token))?.passwordChangedAt).toBeNull();
    expect((await client.me(phone.token))?.id).toBe(caller.user.id);
  });
});

describe('the REST route', () => {
  it("revokes every session of the account, the caller's too", async () => {
    const caller = await signUp(server.graphqlUrl);
    const phone = await secondDevice(caller.email);
    const response = await fetch(`${server.url}/api/v1/change-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwt: caller.token, currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ success: true, message: 'Password changed successfully.' });
    for (const device of [caller, phone]) {
      expect(await client.me(device.token)).toBeNull();
      expect((await client.refresh(device.refreshToken!)).__typename).toBe('InvalidSessionError');
    }
    expectType(await signIn(server.graphqlUrl, caller.email, NEW_PASSWORD), 'AuthPayload');
  });
});

(shared ? describe : describe.skip)('two instances on one PostgreSQL', () => {
  it('refuses on one a session revoked on the other, at once', async () => {
    const remote = sessionClient(other!.graphqlUrl);
    const caller = await signUp(server.graphqlUrl);
    const phone = await secondDevice(caller.email);
    expect((await remote.me(phone.token))?.id).toBe(caller.user.id);
    expectType(await client.revoke(caller.token, phone.session.id), 'SignOutSuccess');
    expect(await remote.me(phone.token)).toBeNull();
    expect((await remote.refresh(phone.refreshToken!)).__typename).toBe('InvalidSessionError');
  });

  it('signs a second device out on every instance when the password changes on one', async () => {
    const remote = sessionClient(other!.graphqlUrl);
    const caller = await signUp(server.graphqlUrl);
    const phone = await secondDevice(caller.email);
    const changed = expectType(
      await changePassword(server.graphqlUrl, caller.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }),
      'ChangePasswordSuccess',
    );
    expect(await remote.me(phone.token)).toBeNull();
    expect(await remote.me(caller.token)).toBeNull();
    expect((await remote.me(changed.token))?.id).toBe(caller.user.id);
  });
});
