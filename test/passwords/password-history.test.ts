import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PolicyAdditionsDocument } from '../generated/graphql.ts';
import { changePassword, signUp, uniqueEmail } from '../support/accounts.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const [A, B, C, D] = ['History-Alpha-1!', 'History-Bravo-2!', 'History-Charlie-3!', 'History-Delta-4!'] as [string, string, string, string];
const IN_HISTORY = 'New password must not be one of your last 3 passwords.';
const SAME_AS_CURRENT = 'New password must be different from current password.';

async function historyRows(server: TestServer, userId: string): Promise<number> {
  const [row] = await server.rekey.orm.em.fork().execute<{ rows: number }[]>(
    `select count(*)::int as "rows" from "password_history" where "user_id" = ?`,
    [Number(userId)],
  );
  return row?.rows ?? -1;
}

/** Changes the password and follows the token the answer hands back; returns the answer. */
function accountDriver(server: TestServer, account: { token: string; password: string }) {
  let { token, password } = account;
  return async (newPassword: string) => {
    const result = await changePassword(server.graphqlUrl, token, { currentPassword: password, newPassword });
    if (result.__typename === 'ChangePasswordSuccess') {
      token = result.token;
      password = newPassword;
    }
    return result;
  };
}

describe('PASSWORD_HISTORY=3', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ PASSWORD_HISTORY: '3' });
  });
  afterAll(() => server.close());

  it('refuses the last 3 passwords (the current one with its own message) across four changes, and forgets older ones', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail('history'), A);
    const change = accountDriver(server, account);

    expect((await change(B)).__typename).toBe('ChangePasswordSuccess'); // last 3: A B
    expect((await change(C)).__typename).toBe('ChangePasswordSuccess'); // last 3: A B C
    expect(expectType(await change(A), 'PasswordReusedError').message).toBe(IN_HISTORY);
    expect(expectType(await change(B), 'PasswordReusedError').message).toBe(IN_HISTORY);
    expect(expectType(await change(C), 'PasswordReusedError').message).toBe(SAME_AS_CURRENT);

    expect((await change(D)).__typename).toBe('ChangePasswordSuccess'); // last 3: B C D
    expect(expectType(await change(B), 'PasswordReusedError').message).toBe(IN_HISTORY);
    expect((await change(A)).__typename).toBe('ChangePasswordSuccess'); // A was 4th: allowed; last 3: C D A
    expect((await change(B)).__typename).toBe('ChangePasswordSuccess'); // B fell out too; last 3: D A B
    expect(expectType(await change(D), 'PasswordReusedError').message).toBe(IN_HISTORY);

    // The current hash lives in users; the table keeps only the 2 before it.
    expect(await historyRows(server, account.user.id)).toBe(2);
  });

  it('runs no history compare for a wrong current password', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail('history'), A);
    const changed = expectType(await accountDriver(server, account)(B), 'ChangePasswordSuccess');
    const { compares } = server.rekey.deps.hasher.operations;
    const wrong = await changePassword(server.graphqlUrl, changed.token, { currentPassword: 'Not-The-Passw0rd!', newPassword: A });
    expect(wrong.__typename).toBe('IncorrectPasswordError');
    // Only the current password's compare: A (in the history) was never compared.
    expect(server.rekey.deps.hasher.operations.compares - compares).toBe(1);
  });

  it('counts one bcrypt compare per remembered password, only after the current one is verified', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail('history'), A);
    const change = accountDriver(server, account);
    expect((await change(B)).__typename).toBe('ChangePasswordSuccess');
    expect((await change(C)).__typename).toBe('ChangePasswordSuccess');
    const before = server.rekey.deps.hasher.operations.compares;
    expect((await change(D)).__typename).toBe('ChangePasswordSuccess');
    // The current password, then the two remembered ones.
    expect(server.rekey.deps.hasher.operations.compares - before).toBe(3);
  });

  it('answers the REST route with the same message', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail('history'), A);
    const change = accountDriver(server, account);
    const changed = expectType(await change(B), 'ChangePasswordSuccess');
    const response = await fetch(`${server.url}/api/v1/change-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwt: changed.token, currentPassword: B, newPassword: A }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ success: false, error: IN_HISTORY });
  });

  it('is described by passwordPolicy', async () => {
    const { passwordPolicy } = await run(server.graphqlUrl, PolicyAdditionsDocument, {});
    expect(passwordPolicy).toMatchObject({ history: 3, rejectBreached: false });
    expect(passwordPolicy.rules).not.toContain('BREACHED');
  });
});

describe('PASSWORD_HISTORY unset (0)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('only the current password is refused; nothing is remembered', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail('no-history'), A);
    const change = accountDriver(server, account);
    expect((await change(B)).__typename).toBe('ChangePasswordSuccess');
    expect(expectType(await change(B), 'PasswordReusedError').message).toBe(SAME_AS_CURRENT);
    expect((await change(A)).__typename).toBe('ChangePasswordSuccess');
    expect(await historyRows(server, account.user.id)).toBe(0);
  });
});
