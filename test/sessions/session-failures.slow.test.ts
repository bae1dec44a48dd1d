import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { PASSWORD, changePassword, signIn, signUp } from '../support/accounts.ts';
import { fromAddress, uniqueAddress } from '../support/addresses.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { sessionClient } from '../support/sessions.ts';

// docs/api/limits.md: changePassword failures count per
// session. SESSION_FAILURE_LIMIT (default 10) wrong current passwords in a row
// revoke that session, so a stolen token gets that many guesses in all; a block
// caused by sign-in failures elsewhere never stops a valid session's change.
// The account is blocked here after 5 failed sign-ins.
const stores = process.env.REDIS_URL ? (['in-process', 'Redis'] as const) : (['in-process'] as const);
const NEW_PASSWORD = 'Brand-New-Pass-7';

const tally = (names: string[]) => {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
};

describe.each(stores)('changePassword failures per session (%s store)', (store) => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: '1', LOCKOUT_THRESHOLD: '5', LOCKOUT_BASE: '15m' }, { useRedis: store === 'Redis' });
    url = server.graphqlUrl;
  }, 180_000);
  afterAll(() => server?.close(), 60_000);

  const wrongGuess = (token: string, attempt: number) => changePassword(url, token, { currentPassword: `Wrong-Guess-${attempt}`, newPassword: NEW_PASSWORD });
  const eventsOf = (userId: string) =>
    server.rekey.orm.em
      .fork()
      .execute<{ kind: string; session_id: string | null }[]>(`select "kind", "session_id" from "security_events" where "user_id" = ? order by "seq"`, [
        Number(userId),
      ]);

  it('revokes a session after 10 wrong current passwords in a row: a stolen token gets 10 guesses in all', async () => {
    const stolen = await signUp(url);
    const owner = expectType(await signIn(url, stolen.email, PASSWORD), 'AuthPayload');
    const guesses: string[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) guesses.push((await wrongGuess(stolen.token, attempt)).__typename);
    expect(guesses).toEqual(Array(10).fill('IncorrectPasswordError'));

    // Even the right password no longer helps the stolen session: it has ended, refresh token included.
    const after = await changePassword(url, stolen.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(after).toMatchObject({ __typename: 'InvalidSessionError', message: 'Invalid or expired session.' });
    expect(await sessionClient(url).me(stolen.token)).toBeNull();
    expect(await sessionClient(url).refresh(stolen.refreshToken as string)).toMatchObject({ __typename: 'InvalidSessionError' });

    // Recorded, and only that session ended: the owner's other session still changes the password.
    const events = await eventsOf(stolen.user.id);
    expect(events.filter((event) => event.kind === 'PASSWORD_CHANGE_FAILED')).toHaveLength(10);
    expect(events.filter((event) => event.kind === 'SESSION_REVOKED')).toEqual([{ kind: 'SESSION_REVOKED', session_id: stolen.session.id }]);
    expect(await changePassword(url, owner.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).toMatchObject({
      __typename: 'ChangePasswordSuccess',
    });
  });

  it('lets at most 10 of 25 concurrent wrong guesses from one session reach bcrypt', async () => {
    const stolen = await signUp(url);
    const comparesBefore = server.rekey.deps.hasher.operations.compares;
    const answers = await Promise.all(Array.from({ length: 25 }, (_, attempt) => wrongGuess(stolen.token, attempt)));
    expect(tally(answers.map((answer) => answer.__typename))).toEqual({ IncorrectPasswordError: 10, InvalidSessionError: 15 });
    expect(server.rekey.deps.hasher.operations.compares - comparesBefore).toBe(10);
    expect(await sessionClient(url).me(stolen.token)).toBeNull();
  });

  it('starts the count over when the current password is verified', async () => {
    const account = await signUp(url);
    for (let attempt = 0; attempt < 9; attempt += 1) expect((await wrongGuess(account.token, attempt)).__typename).toBe('IncorrectPasswordError');
    // The right current password, refused for reuse: verified all the same.
    expect((await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: PASSWORD })).__typename).toBe('PasswordReusedError');
    for (let attempt = 0; attempt < 9; attempt += 1) expect((await wrongGuess(account.token, attempt)).__typename).toBe('IncorrectPasswordError');
    const changed = expectType(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }), 'ChangePasswordSuccess');
    // The renewed session starts from zero too.
    for (let attempt = 0; attempt < 9; attempt += 1) expect((await wrongGuess(changed.token, attempt)).__typename).toBe('IncorrectPasswordError');
    expect(await sessionClient(url).me(changed.token)).not.toBeNull();
  });

  it("never lets a block caused by sign-in failures elsewhere stop a valid session's change", async () => {
    const account = await signUp(url);
    const attacker = uniqueAddress();
    const attempts: string[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) attempts.push((await signIn(url, account.email, `Wrong-${attempt}`, fromAddress(attacker))).__typename);
    expect(attempts).toEqual([...Array(5).fill('InvalidCredentialsError'), 'RateLimitedError']);
    // The account is blocked for sign-in, the owner's right password included...
    expect((await signIn(url, account.email, PASSWORD, fromAddress(uniqueAddress()))).__typename).toBe('RateLimitedError');
    // ...but its signed-in session checks and changes the password as usual.
    expect((await wrongGuess(account.token, 0)).__typename).toBe('IncorrectPasswordError');
    expect(await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).toMatchObject({
      __typename: 'ChangePasswordSuccess',
      success: true,
    });
  });

  it("does not count a session's wrong current passwords against the account's block", async () => {
    const account = await signUp(url);
    for (let attempt = 0; attempt < 9; attempt += 1) expect((await wrongGuess(account.token, attempt)).__typename).toBe('IncorrectPasswordError');
    // 9 failures, over the sign-in threshold of 5: signing in is not blocked.
    expect((await signIn(url, account.email, PASSWORD, fromAddress(uniqueAddress()))).__typename).toBe('AuthPayload');
  });

  it('counts the workflow-compatible REST route against the same session', async () => {
    const account = await signUp(url);
    const post = (currentPassword: string) =>
      fetch(`${server.url}/api/v1/change-password`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jwt: account.token, currentPassword, newPassword: NEW_PASSWORD }),
      }).then(async (response) => ({ status: response.status, body: await response.json() }));
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect(await post(`Wrong-Guess-${attempt}`)).toEqual({ status: 400, body: { success: false, error: 'Current password is incorrect.' } });
    }
    expect(await post(PASSWORD)).toEqual({ status: 401, body: { success: false, error: 'Invalid or expired session.' } });
  });
});

describe('SESSION_FAILURE_LIMIT', () => {
  it('defaults to 10 and is read from the environment', () => {
    expect(loadConfig({}).sessions.failureLimit).toBe(10);
    expect(loadConfig({ SESSION_FAILURE_LIMIT: '3' }).sessions.failureLimit).toBe(3);
    expect(() => loadConfig({ SESSION_FAILURE_LIMIT: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ SESSION_FAILURE_LIMIT: 'ten' })).toThrow(/SESSION_FAILURE_LIMIT/);
  });

  it('revokes after the configured number', async () => {
    const server = await startTestServer({ SESSION_FAILURE_LIMIT: '3' });
    try {
      const account = await signUp(server.graphqlUrl);
      const answers: string[] = [];
      for (let attempt = 0; attempt < 4; attempt += 1) {
        answers.push((await changePassword(server.graphqlUrl, account.token, { currentPassword: `Wrong-${attempt}`, newPassword: NEW_PASSWORD })).__typename);
      }
      expect(answers).toEqual(['IncorrectPasswordError', 'IncorrectPasswordError', 'IncorrectPasswordError', 'InvalidSessionError']);
    } finally {
      await server.close();
    }
  });
});
