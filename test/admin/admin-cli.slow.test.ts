import { describe, expect, it } from '@jest/globals';
import { MeDocument } from '../generated/graphql.ts';
import { randomUUID } from 'node:crypto';
import { signIn, uniqueEmail } from '../support/accounts.ts';
import { fromAddress, uniqueAddress } from '../support/addresses.ts';
import { adminCliHarness } from '../support/admin-cli.ts';
import { run } from '../support/graphql.ts';
import { TEST_SECRET } from '../support/server.ts';

// The CLI as an operator runs it: a child process with the server's configuration
// (a temporary DATA_DIR for embedded PGlite, or a throw-away PostgreSQL database).
// Its effects are checked through the real API.

const cli = adminCliHarness('admin');
const { admin } = cli;
/** The server with a low lockout threshold, so `unlock` has a block to clear. */
const withServer = (check: (url: string) => Promise<void>, extraEnv: Record<string, string> = {}) =>
  cli.withServer((server) => check(server.graphqlUrl), { LOCKOUT_THRESHOLD: '2', ...extraEnv });

const me = async (url: string, token: string) => (await run(url, MeDocument, {}, { token })).me;

/** A command run with --json: exit 0 and one JSON document on stdout. */
async function adminJson<T = Record<string, unknown>>(args: string[], stdin = '', extraEnv: Record<string, string> = {}): Promise<T> {
  const outcome = await admin([...args, '--json'], stdin, { extraEnv });
  expect({ args, code: outcome.code, stderr: outcome.stderr }).toEqual({ args, code: 0, stderr: '' });
  return JSON.parse(outcome.stdout) as T;
}

interface ListedUser {
  id: string;
  email: string;
  createdAt: string;
  disabled: boolean;
  disabledAt: string | null;
  locked: boolean;
  lockedUntil: string | null;
}

describe('the command line itself', () => {
  it('shows help with exit 0 through npm run admin', async () => {
    const outcome = await admin(['--help'], '', { viaNpm: true });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/create-user <email>[\s\S]*set-password[\s\S]*revoke-sessions[\s\S]*unlock/);
    expect(outcome.stdout).toMatch(/users list[\s\S]*users show <email>[\s\S]*users disable <email>[\s\S]*users enable <email>[\s\S]*--json/);
  }, 30_000);

  it.each([
    [[], /No command given/],
    [['drop-everything', 'a@example.com'], /Unknown command "drop-everything"/],
    [['unlock'], /unlock needs the account's email/],
    [['create-user', 'a@example.com', '--password=Secret-Pass-1'], /not taken as arguments/],
    [['set-password', 'a@example.com', '--password', 'Secret-Pass-1'], /not taken as arguments/],
    [['unlock', 'a@example.com', '--force'], /Unknown option '--force'/],
    [['users'], /users needs an action \(list, show, disable, enable, delete\)/],
    [['users', 'frobnicate'], /Unknown users action "frobnicate"/],
    [['users', 'list', '--disabled', '--enabled'], /exclude each other/],
    [['users', 'list', '--created-from', 'yesterday'], /--created-from must be a date/],
    [['users', 'list', '--limit', '-3'], /--limit/],
    [['users', 'disable', 'a@example.com', '--operator', 'bad\nname'], /--operator must be/],
  ])('refuses %j with exit 2 and a clear line', async (args, message) => {
    const outcome = await admin(args);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).not.toContain('Secret-Pass-1');
  }, 30_000);
});

describe('account commands, end to end on the database', () => {
  const ada = uniqueEmail('ada');
  const bob = uniqueEmail('bob');

  // Each command opens the database; embedded PGlite takes seconds per opening, so the
  // refusals that do not depend on the engine (taken email, weak password, unknown
  // account) run on PostgreSQL only.
  const onPostgres = Boolean(process.env.DATABASE_URL);

  it('creates, sets passwords, revokes sessions and unlocks, as the API then sees', async () => {
    // create-user: the password comes from stdin; the email is normalised as sign-up does.
    const created = await admin(['create-user', ada.toUpperCase(), '--password-stdin'], 'First-Admin-Pass-1\n');
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Created account \d+ for /) });
    if (onPostgres) {
      expect(await admin(['create-user', ada], 'First-Admin-Pass-1')).toMatchObject({ code: 1, stderr: expect.stringContaining('already exists') });
    }
    expect((await admin(['create-user', bob], 'Bobs-Admin-Pass-2')).code).toBe(0);

    let adaToken = '';
    let bobToken = '';
    await withServer(async (url) => {
      const adaSession = await signIn(url, ada, 'First-Admin-Pass-1');
      expect(adaSession.__typename).toBe('AuthPayload');
      if (adaSession.__typename === 'AuthPayload') adaToken = adaSession.token;
      const bobSession = await signIn(url, bob, 'Bobs-Admin-Pass-2');
      if (bobSession.__typename === 'AuthPayload') bobToken = bobSession.token;
      // Block bob: two failures reach LOCKOUT_THRESHOLD; then even the right password is refused.
      await signIn(url, bob, 'Wrong-Pass-000!');
      await signIn(url, bob, 'Wrong-Pass-000!');
      expect((await signIn(url, bob, 'Bobs-Admin-Pass-2')).__typename).toBe('RateLimitedError');
    });

    if (onPostgres) {
      const weak = await admin(['set-password', ada], 'weak');
      expect(weak.code).toBe(1);
      expect(weak.stderr).toMatch(/Password refused: Password must be at least 8 characters/);
      const nobody = await admin(['revoke-sessions', uniqueEmail('nobody')]);
      expect(nobody.code).toBe(1);
      expect(nobody.stderr).toMatch(/No account with the email/);
    }
    // The server's whole policy applies, PASSWORD_HISTORY included: the current password cannot be set again.
    const reused = await admin(['set-password', ada], 'First-Admin-Pass-1', { extraEnv: { PASSWORD_HISTORY: '3' } });
    expect(reused).toMatchObject({ code: 1, stderr: expect.stringContaining('Password refused: New password must be different from current password.') });
    const set = await admin(['set-password', ada, '--password-stdin'], 'Second-Admin-Pass-3');
    expect(set).toMatchObject({ code: 0, stdout: expect.stringContaining('every session of the account is signed out') });
    expect(await admin(['unlock', bob])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Unlocked /) });
    expect((await admin(['revoke-sessions', bob])).code).toBe(0);

    await withServer(async (url) => {
      // set-password: the new password works, the old one does not, every older token is revoked.
      expect((await signIn(url, ada, 'Second-Admin-Pass-3')).__typename).toBe('AuthPayload');
      expect((await signIn(url, ada, 'First-Admin-Pass-1')).__typename).toBe('InvalidCredentialsError');
      expect(await me(url, adaToken)).toBeNull();
      // revoke-sessions: bob's token stopped working; unlock: bob signs in again.
      expect(await me(url, bobToken)).toBeNull();
      expect((await signIn(url, bob, 'Bobs-Admin-Pass-2')).__typename).toBe('AuthPayload');
    });

    // events: what happened to ada, newest first, the operator's change included.
    const events = await admin(['events', ada]);
    expect(events.code).toBe(0);
    const kinds = events.stdout.trim().split('\n').map((line) => line.split('\t')[1]);
    // Newest first: the old password refused, then the new one accepted, after the operator's change.
    expect(kinds.slice(0, 4)).toEqual(['SIGN_IN_FAILED', 'SIGNED_IN', 'ADMIN_PASSWORD_SET', 'SESSION_REVOKED']);
    expect(kinds).toEqual(expect.arrayContaining(['SIGNED_UP', 'ADMIN_PASSWORD_SET', 'SESSION_REVOKED', 'SIGNED_IN']));
    expect(events.stdout).toContain('rekey admin CLI');
    // outbox: counts by state (no channel is configured here, so nothing is queued), and retrying the dead.
    expect(await admin(['outbox'])).toMatchObject({ code: 0, stdout: 'pending 0, done 0, dead 0\n' });
    expect(await admin(['outbox', 'retry-dead'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^0 dead message/) });
    expect((await admin(['outbox', 'everything'])).code).toBe(2);
  }, 300_000);

  it('answers every command with --json, and lists, shows, disables and enables accounts as the API then sees', async () => {
    const [dora, eve] = [uniqueEmail('dora'), uniqueEmail('eve')];
    const created = await adminJson<{ user: { id: string; email: string } }>(['create-user', dora, '--operator', 'ops-carla'], 'Doras-Admin-Pass-1');
    expect(created.user).toEqual({ id: expect.stringMatching(/^\d+$/), email: dora });
    await adminJson(['create-user', eve], 'Eves-Admin-Pass-22');

    let doraToken = '';
    await withServer(async (url) => {
      const session = await signIn(url, dora, 'Doras-Admin-Pass-1');
      if (session.__typename === 'AuthPayload') doraToken = session.token;
    });
    expect(doraToken).not.toBe('');

    // users list: filtered by address, paged with --after, the fields documented.
    const page = await adminJson<{ users: ListedUser[]; nextAfter: string | null }>(['users', 'list', '--email', 'DORA.', '--limit', '1']);
    expect(page).toEqual({
      users: [{ id: created.user.id, email: dora, createdAt: expect.any(String), disabled: false, disabledAt: null, locked: false, lockedUntil: null }],
      nextAfter: null,
    });
    const first = await adminJson<{ users: ListedUser[]; nextAfter: string | null }>(['users', 'list', '--limit', '1']);
    expect(first.users).toHaveLength(1);
    expect(first.nextAfter).toBe(first.users[0]?.id);
    const rest = await adminJson<{ users: ListedUser[] }>(['users', 'list', '--after', first.nextAfter ?? '', '--limit', '1000']);
    expect(rest.users.map((user) => user.email)).toEqual(expect.arrayContaining([dora, eve]));
    expect(rest.users.map((user) => user.id)).not.toContain(first.users[0]?.id);
    const future = await adminJson<{ users: ListedUser[] }>(['users', 'list', '--created-from', '2999-01-01']);
    expect(future.users).toEqual([]);

    // users show
    const shown = await adminJson<{ user: Record<string, unknown> }>(['users', 'show', dora]);
    expect(shown.user).toMatchObject({ id: created.user.id, email: dora, disabled: false, activeSessions: 1, failedPasswordChecks: 0 });
    expect(Object.keys(shown.user).sort()).toEqual(
      ['activeSessions', 'createdAt', 'disabled', 'disabledAt', 'email', 'failedPasswordChecks', 'id', 'locked', 'lockedUntil', 'passwordChangedAt', 'totp', 'updatedAt'].sort(),
    );

    // users disable: sign-in refused with the generic answer, the session dead.
    const disabled = await adminJson(['users', 'disable', dora, '--operator', 'ops-carla']);
    expect(disabled).toEqual({ user: created.user, disabled: true, changed: true, sessionsEnded: 1 });
    const onlyDisabled = await adminJson<{ users: ListedUser[] }>(['users', 'list', '--disabled']);
    expect(onlyDisabled.users.map((user) => user.email)).toEqual([dora]);
    expect(onlyDisabled.users[0]).toMatchObject({ disabled: true, disabledAt: expect.any(String) });
    await withServer(async (url) => {
      expect(await me(url, doraToken)).toBeNull();
      expect((await signIn(url, dora, 'Doras-Admin-Pass-1')).__typename).toBe('InvalidCredentialsError');
    });

    // users enable: sign-in works again.
    expect(await adminJson(['users', 'enable', dora, '--operator', 'ops-carla'])).toEqual({ user: created.user, disabled: false, changed: true });
    await withServer(async (url) => {
      expect((await signIn(url, dora, 'Doras-Admin-Pass-1')).__typename).toBe('AuthPayload');
    });

    // The rest of the commands' documents.
    expect(await adminJson(['set-password', eve], 'Eves-New-Pass-333')).toEqual({ user: { id: expect.any(String), email: eve }, sessionsRevoked: true });
    expect(await adminJson(['revoke-sessions', eve])).toEqual({ user: { id: expect.any(String), email: eve }, sessionsEnded: 0 });
    expect(await adminJson(['unlock', eve])).toEqual({ user: { id: expect.any(String), email: eve }, wasLocked: false, windowsCleared: false });
    expect(await adminJson(['outbox'])).toEqual({ counts: { pending: 0, done: 0, dead: 0 }, dead: [] });
    expect(await adminJson(['outbox', 'retry-dead'])).toEqual({ retried: 0 });

    // events: the admin actions, each naming its operator; create-user's SIGNED_UP too.
    const events = await adminJson<{ user: { email: string }; events: { kind: string; userAgent: string | null; occurredAt: string }[] }>(['events', dora]);
    expect(events.user.email).toBe(dora);
    expect(events.events.map((event) => event.kind)).toEqual([
      'SIGNED_IN',
      'ADMIN_ACCOUNT_ENABLED',
      'SIGN_IN_FAILED',
      'ADMIN_ACCOUNT_DISABLED',
      'SESSION_REVOKED',
      'SIGNED_IN',
      'SIGNED_UP',
    ]);
    const byOperator = events.events.filter((event) => event.kind.startsWith('ADMIN_') || event.kind === 'SIGNED_UP');
    for (const event of byOperator) expect(event.userAgent).toBe('rekey admin CLI (operator: ops-carla)');

    // A failure with --json: exit 1, the error's code on stdout, the line on stderr.
    const missing = await admin(['users', 'show', uniqueEmail('nobody'), '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { code: 'ACCOUNT_NOT_FOUND', message: expect.stringMatching(/^No account with the email/) } });
    expect(missing.stderr).toMatch(/No account with the email/);
  }, 400_000);

  // The windows live in the store the servers share: Redis. Without it they are in a server's memory.
  (process.env.REDIS_URL ? it : it.skip)("unlock clears the account's rate-limit windows in the shared Redis", async () => {
    const carol = uniqueEmail('carol');
    expect((await admin(['create-user', carol], 'Carols-Admin-Pass-4')).code).toBe(0);
    // The CLI shares the servers' whole configuration: Redis, and the secret its limit keys are hashed with.
    const shared = { REDIS_URL: process.env.REDIS_URL ?? '', REDIS_KEY_PREFIX: `rekey-test:${randomUUID()}:`, SERVER_SECRET: TEST_SECRET };
    const limits = { ...shared, TRUST_PROXY: '1', SIGN_IN_RATE_LIMIT: '3', SIGN_IN_EMAIL_RATE_LIMIT: '3' };
    await withServer(async (url) => {
      // Strangers block carol (2 failures) and fill her email's window (3).
      const answers = [];
      for (let attempt = 0; attempt < 4; attempt += 1) answers.push((await signIn(url, carol, `Wrong-${attempt}`, fromAddress(uniqueAddress()))).__typename);
      expect(answers).toEqual(['InvalidCredentialsError', 'InvalidCredentialsError', 'RateLimitedError', 'RateLimitedError']);
    }, limits);

    const unlocked = await admin(['unlock', carol], '', { extraEnv: shared });
    expect(unlocked).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Unlocked .*Its rate-limit windows are cleared\.$/m) });

    await withServer(async (url) => {
      expect((await signIn(url, carol, 'Carols-Admin-Pass-4', fromAddress(uniqueAddress()))).__typename).toBe('AuthPayload');
    }, limits);
  }, 300_000);
});

describe('keys list and keys rotate', () => {
  const secret = { SERVER_SECRET: TEST_SECRET };
  const jwksKids = async (url: string) =>
    ((await (await fetch(new URL('/.well-known/jwks.json', url))).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);

  it('publishes a new key that the servers sign with only after the activation delay, and lists each state', async () => {
    let active = '';
    await withServer(async (url) => {
      [active = ''] = await jwksKids(url);
    });
    const listed = await admin(['keys', 'list'], '', { extraEnv: secret });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${active}\tES256\tactive\t-\tcreated `);

    const rotated = await admin(['keys', 'rotate'], '', { extraEnv: secret, viaNpm: true });
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(0);
    const next = /^Published key ([\w-]+); instances sign with it from (\S+)\. ([\w-]+) stays published/.exec(rotated.stdout);
    expect(next?.[3]).toBe(active);
    expect(new Date(next?.[2] ?? '').getTime()).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(rotated.stdout).toContain(`${next?.[1]}\tES256\tnext\tfrom ${next?.[2]}`);

    // Published at once, though no server signs with it yet.
    await withServer(async (url) => {
      expect((await jwksKids(url)).sort()).toEqual([active, next?.[1]].sort());
    });
    const again = await admin(['keys', 'rotate'], '', { extraEnv: secret });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^rekey admin: Key [\w-]+ is already published and starts signing at \S+; rotate again after that\.\n$/);
  }, 240_000);

  it('refuses other actions, and HS256 deployments, clearly', async () => {
    expect((await admin(['keys', 'shred'], '', { extraEnv: secret })).code).toBe(2);
    const hs256 = await admin(['keys', 'list'], '', { extraEnv: { ...secret, JWT_ALGORITHM: 'HS256', JWT_SECRET: TEST_SECRET } });
    expect(hs256.code).toBe(1);
    expect(hs256.stderr).toMatch(/JWT_ALGORITHM is HS256: there are no key pairs/);
  }, 60_000);
});
