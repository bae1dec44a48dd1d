import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { BreachLookupError } from '../../src/passwords/breached/breach-lookup.ts';
import { RangeApiLookup } from '../../src/passwords/breached/range-api-lookup.ts';
import { createLogger } from '../../src/observability/logging.ts';
import { PolicyAdditionsDocument, SignUpDocument } from '../generated/graphql.ts';
import { changePassword, signUp, uniqueEmail } from '../support/accounts.ts';
import { expectType, graphql, run } from '../support/graphql.ts';
import { startRangeServer, sha1Upper, type RangeServer } from '../support/range-server.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/** A password every cheap rule accepts, different each call (so each has its own prefix, never cached). */
const freshPassword = () => `Breach-${randomBytes(6).toString('hex')}-Aa1!`;

const BREACHED = ['Leaked-Passw0rd-1!', 'Leaked-Passw0rd-2!', 'Leaked-Passw0rd-3!', 'Leaked-Passw0rd-4!'];
/** In the corpus only as a padding entry (count 0): not breached. */
const PADDED_ONLY = 'Padded-Only-Passw0rd!';

const captureLog = () => {
  const lines: string[] = [];
  return { lines, log: createLogger('warn', (_level, line) => lines.push(line)) };
};

let range: RangeServer;

beforeAll(async () => {
  range = await startRangeServer(new Map(BREACHED.map((password, index) => [sha1Upper(password), 1_000 + index])), [sha1Upper(PADDED_ONLY).slice(5)]);
});
afterAll(() => range.close());
beforeEach(() => {
  range.behaviour = 'ok';
  range.requests.length = 0;
});

const signUpWith = (server: TestServer, password: string, email = uniqueEmail()) =>
  graphql(server.graphqlUrl, SignUpDocument, { input: { email, password } });

describe('BREACHED_PASSWORDS=<range API>', () => {
  let server: TestServer;
  const { lines, log } = captureLog();
  beforeAll(async () => {
    server = await startTestServer({ BREACHED_PASSWORDS: range.base, BREACHED_PASSWORDS_TIMEOUT: '300ms' }, { log });
  });
  afterAll(() => server.close());

  it('refuses a breached password at sign-up with the BREACHED rule', async () => {
    const { data } = await signUpWith(server, BREACHED[0] as string);
    const refused = expectType(data!.signUp, 'WeakPasswordError');
    expect(refused.message).toBe('Password has appeared in a data breach');
    expect(refused.violations).toEqual([{ rule: 'BREACHED', message: 'Password has appeared in a data breach' }]);
  });

  it('sends only the 5-character prefix, with Add-Padding, and nothing of the password, its hash or the account', async () => {
    const email = uniqueEmail('prefix');
    const password = BREACHED[1] as string;
    const hash = sha1Upper(password);
    await signUpWith(server, password, email);
    expect(range.requests).toHaveLength(1);
    const [seen] = range.requests;
    expect(seen).toMatchObject({ method: 'GET', url: `/range/${hash.slice(0, 5)}`, body: '' });
    expect(seen?.headers['add-padding']).toBe('true');
    const everything = JSON.stringify(seen).toUpperCase();
    for (const secret of [hash.slice(5), hash.slice(5, 15), password.toUpperCase(), email.toUpperCase(), sha1Upper(email)]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('ignores padding entries (count 0) and accepts passwords not in the corpus', async () => {
    expect((await signUpWith(server, PADDED_ONLY)).data?.signUp.__typename).toBe('AuthPayload');
    expect((await signUpWith(server, freshPassword())).data?.signUp.__typename).toBe('AuthPayload');
  });

  it('asks once per prefix while it is cached', async () => {
    const password = BREACHED[2] as string;
    await signUpWith(server, password);
    await signUpWith(server, password);
    expect(range.requests).toHaveLength(1);
  });

  it('never looks a password up for a caller with the wrong current password', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail(), freshPassword());
    range.requests.length = 0;
    const wrong = await changePassword(server.graphqlUrl, account.token, { currentPassword: 'Not-The-Passw0rd!', newPassword: BREACHED[3] as string });
    expect(wrong.__typename).toBe('IncorrectPasswordError');
    expect(range.requests).toHaveLength(0);

    const right = await changePassword(server.graphqlUrl, account.token, { currentPassword: account.password, newPassword: BREACHED[3] as string });
    expect(expectType(right, 'WeakPasswordError').violations.map((violation) => violation.rule)).toEqual(['BREACHED']);
    expect(range.requests).toHaveLength(1);
    const clean = await changePassword(server.graphqlUrl, account.token, { currentPassword: account.password, newPassword: freshPassword() });
    expect(clean.__typename).toBe('ChangePasswordSuccess');
  });

  it('describes the rule in passwordPolicy', async () => {
    const { passwordPolicy } = await run(server.graphqlUrl, PolicyAdditionsDocument, {});
    expect(passwordPolicy).toEqual({ history: 0, rejectBreached: true, rules: expect.arrayContaining(['BREACHED']) });
    expect(passwordPolicy.rules.at(-1)).toBe('BREACHED');
  });

  describe('with BREACHED_PASSWORDS_ON_ERROR=allow (the default)', () => {
    it.each([
      ['slow (timeout)', 'slow', 'timeout'],
      ['failing (HTTP 500)', 'status-500', 'status'],
      ['malformed', 'malformed', 'malformed'],
    ] as const)('lets the password through when the range API is %s, warns and counts', async (_name, behaviour, reason) => {
      range.behaviour = behaviour;
      const counters = server.rekey.deps.breached.counters;
      const before = { errors: counters.errors[reason], allowed: counters.allowedOnError };
      const password = freshPassword();
      lines.length = 0;
      const { status, data } = await signUpWith(server, password);
      expect(status).toBe(200);
      expect(data?.signUp.__typename).toBe('AuthPayload');
      expect(counters.errors[reason]).toBe(before.errors + 1);
      expect(counters.allowedOnError).toBe(before.allowed + 1);
      const warning = lines.find((line) => line.includes('Breached-password lookup failed'));
      expect(warning).toContain(`(${reason})`);
      // Said without `=`, which the log's redaction of `…password…=value` text would hide.
      expect(warning).toContain('BREACHED_PASSWORDS_ON_ERROR is allow');
      expect(warning).not.toContain(password);
      expect(warning).not.toContain(sha1Upper(password).slice(5));
    });
  });
});

describe('BREACHED_PASSWORDS_ON_ERROR=refuse', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ BREACHED_PASSWORDS: range.base, BREACHED_PASSWORDS_TIMEOUT: '300ms', BREACHED_PASSWORDS_ON_ERROR: 'refuse' });
  });
  afterAll(() => server.close());

  it.each([
    ['slow (timeout)', 'slow'],
    ['failing (HTTP 500)', 'status-500'],
    ['malformed', 'malformed'],
  ] as const)('answers sign-up with SERVICE_UNAVAILABLE (503) when the range API is %s, and creates no account', async (_name, behaviour) => {
    range.behaviour = behaviour;
    const email = uniqueEmail('refused');
    const password = freshPassword();
    const refused = await signUpWith(server, password, email);
    expect(refused.status).toBe(503);
    expect(refused.errors).toEqual([
      expect.objectContaining({ message: 'Service temporarily unavailable. Please try again.', extensions: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) }),
    ]);
    expect(JSON.stringify(refused)).not.toContain(password);

    range.behaviour = 'ok';
    expect((await signUpWith(server, password, email)).data?.signUp.__typename).toBe('AuthPayload');
  });

  it('answers changePassword and the REST route with 503, and the password stays unchanged', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail(), freshPassword());
    range.behaviour = 'status-500';
    const response = await graphql(
      server.graphqlUrl,
      (await import('../generated/graphql.ts')).ChangePasswordDocument,
      { input: { currentPassword: account.password, newPassword: freshPassword() } },
      { token: account.token },
    );
    expect(response.status).toBe(503);
    expect(response.errors?.[0]?.extensions?.code).toBe('SERVICE_UNAVAILABLE');

    const rest = await fetch(`${server.url}/api/v1/change-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwt: account.token, currentPassword: account.password, newPassword: freshPassword() }),
    });
    expect(rest.status).toBe(503);
    expect(rest.headers.get('retry-after')).toBe('5');
    expect(await rest.json()).toEqual({ success: false, error: 'Service temporarily unavailable. Please try again.' });

    range.behaviour = 'ok';
    const unchanged = await changePassword(server.graphqlUrl, account.token, { currentPassword: account.password, newPassword: freshPassword() });
    expect(unchanged.__typename).toBe('ChangePasswordSuccess');
  });
});

describe('the range API answer is parsed strictly', () => {
  it.each([
    ['a 34-character suffix', 'ABCDEF0123456789ABCDEF0123456789AB:3'],
    ['a non-hex suffix', 'GBCDEF0123456789ABCDEF0123456789ABC:3'],
    ['no count', 'ABCDEF0123456789ABCDEF0123456789ABC'],
    ['a negative count', 'ABCDEF0123456789ABCDEF0123456789ABC:-3'],
    ['an HTML page', '<html><body>Welcome to the captive portal</body></html>'],
    ['a blank line in the middle', 'ABCDEF0123456789ABCDEF0123456789ABC:3\r\n\r\nABCDEF0123456789ABCDEF0123456789ABD:0'],
  ])('an answer with %s is an error, never "not breached"', async (_name, body) => {
    const { createServer } = await import('node:http');
    const server = createServer((_request, response) => response.end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const lookup = new RangeApiLookup({ baseUrl: `http://127.0.0.1:${port}/range`, timeoutMs: 1_000 });
      const failure = await lookup.count(sha1Upper('anything')).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BreachLookupError);
      expect((failure as BreachLookupError).reason).toBe('malformed');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('an unreachable range API is an error', async () => {
    const { createServer } = await import('node:net');
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const lookup = new RangeApiLookup({ baseUrl: `http://127.0.0.1:${port}/range`, timeoutMs: 1_000 });
    await expect(lookup.count(sha1Upper('anything'))).rejects.toMatchObject({ reason: 'unreachable' });
  });

  it('reads counts and upper-cases suffixes; count-0 entries are not breaches', async () => {
    const hash = sha1Upper('Some-Passw0rd!');
    const lines = [`${hash.slice(5).toLowerCase()}:42`, `${'0'.repeat(35)}:0`];
    const { createServer } = await import('node:http');
    const server = createServer((_request, response) => response.end(`${lines.join('\n')}\n`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const lookup = new RangeApiLookup({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 1_000 });
      expect(await lookup.count(hash)).toBe(42);
      expect(await lookup.count(`${hash.slice(0, 5)}${'0'.repeat(35)}`)).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
