import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PASSWORD, signIn, signUp } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// NIST SP 800-63B throttling: 100 consecutive failures per account, then a
// cool-down that doubles with each block. Rate limits are raised here (test
// default) so that attempts spread "over addresses and minutes" reach it.
let server: TestServer;
let url: string;
beforeAll(async () => {
  server = await startTestServer({ LOCKOUT_THRESHOLD: '100', LOCKOUT_BASE: '15m' });
  url = server.graphqlUrl;
});
afterAll(() => server.close());

const tally = (names: string[]) => {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
};
/** Time passes: the current block ends now. */
const endBlock = (id: string) =>
  server.rekey.orm.em.fork().execute(`update "users" set "locked_until" = now() - interval '1 second' where "id" = ?`, [Number(id)]);
const retryAfter = (result: { __typename: string; retryAfterSeconds?: number }) => (result.__typename === 'RateLimitedError' ? result.retryAfterSeconds : null);

describe('consecutive failed password checks', () => {
  it('lets at most 100 of 120 wrong sign-ins reach bcrypt, then refuses with a growing cool-down', async () => {
    const account = await signUp(url);
    const first: string[] = [];
    let firstWait = 0;
    for (let attempt = 0; attempt < 120; attempt += 1) {
      const result = await signIn(url, account.email, `Wrong-Pass-${attempt}`);
      first.push(result.__typename);
      firstWait = retryAfter(result) ?? firstWait;
    }
    expect(tally(first)).toEqual({ InvalidCredentialsError: 100, RateLimitedError: 20 });
    expect(first.slice(0, 100).every((name) => name === 'InvalidCredentialsError')).toBe(true);
    expect(firstWait).toBeGreaterThan(14 * 60);
    expect(firstWait).toBeLessThanOrEqual(15 * 60);
    // Even the right password is refused while blocked.
    expect((await signIn(url, account.email, PASSWORD)).__typename).toBe('RateLimitedError');

    await endBlock(account.user.id);
    const second: string[] = [];
    let secondWait = 0;
    for (let attempt = 0; attempt < 101; attempt += 1) {
      const result = await signIn(url, account.email, `Wrong-Again-${attempt}`);
      second.push(result.__typename);
      secondWait = retryAfter(result) ?? secondWait;
    }
    expect(tally(second)).toEqual({ InvalidCredentialsError: 100, RateLimitedError: 1 });
    expect(secondWait).toBeGreaterThan(29 * 60);
    expect(secondWait).toBeLessThanOrEqual(30 * 60);
  });

  it('lets at most 100 of 120 concurrent wrong attempts reach bcrypt', async () => {
    const account = await signUp(url);
    const comparesBefore = server.rekey.deps.hasher.operations.compares;
    const results = await Promise.all(Array.from({ length: 120 }, (_, attempt) => signIn(url, account.email, `Wrong-Pass-${attempt}`)));
    expect(tally(results.map((r) => r.__typename))).toEqual({ InvalidCredentialsError: 100, RateLimitedError: 20 });
    expect(server.rekey.deps.hasher.operations.compares - comparesBefore).toBe(100);
  });

  it('resets the count after a success', async () => {
    const account = await signUp(url);
    for (let attempt = 0; attempt < 99; attempt += 1) await signIn(url, account.email, `Wrong-Pass-${attempt}`);
    expect((await signIn(url, account.email, PASSWORD)).__typename).toBe('AuthPayload');
    const after: string[] = [];
    for (let attempt = 0; attempt < 99; attempt += 1) after.push((await signIn(url, account.email, `Wrong-Again-${attempt}`)).__typename);
    expect(tally(after)).toEqual({ InvalidCredentialsError: 99 });
    expect((await signIn(url, account.email, PASSWORD)).__typename).toBe('AuthPayload');
  });

  it('never stays blocked for good when the check holding the last slot never settled', async () => {
    const account = await signUp(url);
    const db = server.rekey.orm.em.fork();
    // The last slot was taken (its provisional block has ended) but its check never reported back.
    await db.execute(`update "users" set "failed_password_checks" = 100, "locked_until" = now() - interval '1 second' where "id" = ?`, [
      Number(account.user.id),
    ]);
    expect((await signIn(url, account.email, PASSWORD)).__typename).toBe('AuthPayload');
    // The same state as older code could leave it, with no block at all.
    await db.execute(`update "users" set "failed_password_checks" = 100, "locked_until" = null where "id" = ?`, [Number(account.user.id)]);
    expect((await signIn(url, account.email, PASSWORD)).__typename).toBe('AuthPayload');
  });

  it('blocks the moment the last slot is taken, before that check has finished', async () => {
    const account = await signUp(url);
    for (let attempt = 0; attempt < 99; attempt += 1) await signIn(url, account.email, `Wrong-Pass-${attempt}`);
    // The 100th check and a 101st arrive together: the 101st is refused with the real cool-down, not a guess.
    const [hundredth, next] = await Promise.all([signIn(url, account.email, 'Wrong-Pass-x'), signIn(url, account.email, 'Wrong-Pass-y')]);
    const names = [hundredth.__typename, next.__typename].sort();
    expect(names).toEqual(['InvalidCredentialsError', 'RateLimitedError']);
    const refused = [hundredth, next].find((r) => r.__typename === 'RateLimitedError');
    expect(retryAfter(refused as { __typename: string; retryAfterSeconds?: number })).toBeGreaterThan(14 * 60);
  });
});

describe('blocks that strangers cannot stretch', () => {
  let small: TestServer;
  beforeAll(async () => {
    small = await startTestServer({ LOCKOUT_THRESHOLD: '3', LOCKOUT_BASE: '15m', LOCKOUT_MAX: '20m', LOCKOUT_WINDOW: '1h' });
  });
  afterAll(() => small.close());

  const fail = (email: string, times: number) =>
    Array.from({ length: times }).reduce<Promise<string[]>>(
      async (done, _, attempt) => [...(await done), (await signIn(small.graphqlUrl, email, `Wrong-Pass-${attempt}`)).__typename],
      Promise.resolve([]),
    );
  const waitOf = async (email: string) => retryAfter(await signIn(small.graphqlUrl, email, PASSWORD));
  const sql = (text: string, id: string) => small.rekey.orm.em.fork().execute(text, [Number(id)]);

  it('caps a block at LOCKOUT_MAX however many came before', async () => {
    const account = await signUp(small.graphqlUrl);
    expect(await fail(account.email, 3)).toEqual(['InvalidCredentialsError', 'InvalidCredentialsError', 'InvalidCredentialsError']);
    expect(await waitOf(account.email)).toBeGreaterThan(14 * 60);
    for (let block = 0; block < 3; block += 1) {
      await sql(`update "users" set "locked_until" = now() - interval '1 second' where "id" = ?`, account.user.id);
      await fail(account.email, 3);
      // 30, 60, 120 minutes without the cap.
      const wait = await waitOf(account.email);
      expect(wait).toBeGreaterThan(19 * 60);
      expect(wait).toBeLessThanOrEqual(20 * 60);
    }
  });

  it('counts only failures within LOCKOUT_WINDOW', async () => {
    const account = await signUp(small.graphqlUrl);
    await fail(account.email, 2);
    // The two failures are now older than the window.
    await sql(`update "users" set "failures_since" = now() - interval '2 hours' where "id" = ?`, account.user.id);
    expect(await fail(account.email, 2)).toEqual(['InvalidCredentialsError', 'InvalidCredentialsError']);
    expect((await signIn(small.graphqlUrl, account.email, PASSWORD)).__typename).toBe('AuthPayload');
  });

  it('starts doubling over once the blocks are older than the window', async () => {
    const account = await signUp(small.graphqlUrl);
    await fail(account.email, 3);
    await sql(`update "users" set "locked_until" = now() - interval '1 second' where "id" = ?`, account.user.id);
    await fail(account.email, 3);
    expect(await waitOf(account.email)).toBeGreaterThan(19 * 60);
    // Both blocks and their failures happened more than the window ago.
    await sql(`update "users" set "locked_until" = now() - interval '1 second', "failures_since" = now() - interval '2 hours' where "id" = ?`, account.user.id);
    await fail(account.email, 3);
    const wait = await waitOf(account.email);
    expect(wait).toBeGreaterThan(14 * 60);
    expect(wait).toBeLessThanOrEqual(15 * 60);
  });
});
