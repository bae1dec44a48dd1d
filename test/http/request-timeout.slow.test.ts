import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcrypt';
import { User } from '../../src/users/user.entity.ts';
import { PASSWORD, uniqueEmail } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionTokenFor } from '../support/sessions.ts';

// docs/operations/outages.md: a request whose password update has begun is not cut by
// REQUEST_TIMEOUT; an answer never says "failed" for a change that was
// committed. The database is made slow on purpose with a trigger that sleeps,
// either on the update of the password (past the point of writing) or on the
// session's failure counter, which is written before the password is checked.
const NEW_PASSWORD = 'Brand-New-Pass-7';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ REQUEST_TIMEOUT: '1s' });
});
afterAll(() => server.close());

async function account(): Promise<{ id: number; token: string }> {
  const db = server.rekey.orm.em.fork();
  const user = db.create(User, { email: uniqueEmail('timeout'), password: await bcrypt.hash(PASSWORD, 4) });
  await db.flush();
  const token = await sessionTokenFor(server.rekey, user.id);
  return { id: user.id, token };
}

async function storedHash(id: number): Promise<string> {
  const [row] = await server.rekey.orm.em.fork().execute<{ password: string }[]>('select "password" from "users" where "id" = ?', [id]);
  return row!.password;
}

/** Makes every update of `column` on `table` sleep 1.5 s (past the 1 s timeout). */
async function slowUpdatesOf(column: string, table = 'users'): Promise<() => Promise<void>> {
  const db = server.rekey.orm.em.fork();
  await db.execute(`create or replace function slow_update() returns trigger language plpgsql as $$ begin perform pg_sleep(1.5); return new; end $$`);
  await db.execute(`create trigger slow_update before update of "${column}" on "${table}" for each row execute function slow_update()`);
  return async () => {
    await db.execute(`drop trigger slow_update on "${table}"`);
  };
}

async function changePassword(token: string): Promise<{ status: number; body: string }> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: `mutation { changePassword(input: { currentPassword: "${PASSWORD}", newPassword: "${NEW_PASSWORD}" }) { __typename } }`,
    }),
  });
  return { status: response.status, body: await response.text() };
}

describe('the request timeout and password changes', () => {
  it('lets a change whose update has begun finish and answer success', async () => {
    const { id, token } = await account();
    const restore = await slowUpdatesOf('password');
    try {
      const answer = await changePassword(token);
      expect(answer).toEqual({ status: 200, body: JSON.stringify({ data: { changePassword: { __typename: 'ChangePasswordSuccess' } } }) });
      expect(await bcrypt.compare(NEW_PASSWORD, await storedHash(id))).toBe(true);
    } finally {
      await restore();
    }
  });

  it('answers 503 before the update has begun, and then does not change the password', async () => {
    const { id, token } = await account();
    const restore = await slowUpdatesOf('failed_password_checks', 'sessions');
    try {
      const answer = await changePassword(token);
      expect(answer.status).toBe(503);
      // The work that was cut short finishes in the background; it must not write the new password.
      await server.rekey.app.settled();
      expect(await bcrypt.compare(PASSWORD, await storedHash(id))).toBe(true);
    } finally {
      await restore();
    }
  });
});
