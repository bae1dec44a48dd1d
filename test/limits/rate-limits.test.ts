import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PASSWORD, changePassword, signIn, uniqueEmail } from '../support/accounts.ts';
import { graphql } from '../support/graphql.ts';
import { SignUpDocument } from '../generated/graphql.ts';
import { fromAddress, uniqueAddress } from '../support/addresses.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The default limits (10 per minute, docs/api/limits.md), with Redis when REDIS_URL is set.
let server: TestServer;
let url: string;
let nextAddress = 0;
/** A client address of its own for each call site, through the trusted proxy header. */
const address = () => {
  nextAddress = (nextAddress % 250) + 1;
  return { 'x-forwarded-for': `203.0.113.${nextAddress}` };
};
const uniqueIp = uniqueAddress;

beforeAll(async () => {
  server = await startTestServer(
    // SESSION_FAILURE_LIMIT (10) would end a session at its 10th wrong guess, before the rate limit
    // answers the 11th: raised so these tests see the rate limit alone (session-failures.test.ts has the other).
    {
      TRUST_PROXY: '1',
      CHANGE_PASSWORD_RATE_LIMIT: '10',
      SIGN_IN_RATE_LIMIT: '10',
      // An email's own budget, here as small as an address's (owner-room.test.ts has the default).
      SIGN_IN_EMAIL_RATE_LIMIT: '10',
      SIGN_UP_RATE_LIMIT: '10',
      SESSION_FAILURE_LIMIT: '100',
    },
    { useRedis: true },
  );
  url = server.graphqlUrl;
});
afterAll(() => server.close());

/** Accounts are created from addresses of their own so sign-up limits do not interfere. */
const newAccount = async () => {
  const email = uniqueEmail();
  const { data } = await graphql(url, SignUpDocument, { input: { email, password: PASSWORD } }, { headers: { 'x-forwarded-for': uniqueIp() } });
  if (data?.signUp.__typename !== 'AuthPayload') throw new Error(`sign-up failed: ${JSON.stringify(data)}`);
  return { email, token: data.signUp.token };
};

describe('changePassword rate limit', () => {
  it('answers RateLimitedError on the 11th attempt in a minute, before any password check', async () => {
    const account = await newAccount();
    const ip = uniqueIp();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const result = await changePassword(url, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' }, fromAddress(ip));
      outcomes.push(result.__typename);
    }
    expect(outcomes).toEqual(Array(10).fill('IncorrectPasswordError'));
    // Even the right password is refused now: the limit comes first.
    const limited = await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }, fromAddress(ip));
    expect(limited.__typename).toBe('RateLimitedError');
    if (limited.__typename !== 'RateLimitedError') return;
    expect(limited.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('limits one account attacked from 12 addresses', async () => {
    const account = await newAccount();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const result = await changePassword(url, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' }, fromAddress(uniqueIp()));
      outcomes.push(result.__typename);
    }
    expect(outcomes).toEqual([...Array(10).fill('IncorrectPasswordError'), 'RateLimitedError', 'RateLimitedError']);
  });

  it('limits one address attacking 12 accounts', async () => {
    const ip = uniqueIp();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const account = await newAccount();
      const result = await changePassword(url, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' }, fromAddress(ip));
      outcomes.push(result.__typename);
    }
    expect(outcomes).toEqual([...Array(10).fill('IncorrectPasswordError'), 'RateLimitedError', 'RateLimitedError']);
  });

  it('does not let a revoked token use up the owner\'s limit', async () => {
    const account = await newAccount();
    const changed = await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }, fromAddress(uniqueIp()));
    if (changed.__typename !== 'ChangePasswordSuccess') throw new Error(changed.__typename);
    // Someone holding the old, revoked token hammers the mutation from many addresses.
    for (let attempt = 0; attempt < 12; attempt += 1) {
      const result = await changePassword(url, account.token, { currentPassword: 'Whatever-123!', newPassword: 'Other-Pass-42!' }, fromAddress(uniqueIp()));
      expect(result.__typename).not.toBe('ChangePasswordSuccess');
    }
    const owner = await changePassword(url, changed.token, { currentPassword: 'Brand-New-Pass-7', newPassword: 'Third-Pass-99!' }, fromAddress(uniqueIp()));
    expect(owner.__typename).toBe('ChangePasswordSuccess');
  });

  it('lets at most 10 of 30 concurrent attempts reach the password check; every answer is typed', async () => {
    const account = await newAccount();
    const ip = uniqueIp();
    const comparesBefore = server.rekey.deps.hasher.operations.compares;
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        changePassword(url, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' }, fromAddress(ip)),
      ),
    );
    const counts: Record<string, number> = {};
    for (const { __typename } of results) counts[__typename] = (counts[__typename] ?? 0) + 1;
    expect(counts).toEqual({ IncorrectPasswordError: 10, RateLimitedError: 20 });
    expect(server.rekey.deps.hasher.operations.compares - comparesBefore).toBe(10);
  });
});

describe('one password-checking field per operation', () => {
  it('refuses 30 aliased changePassword fields whole, before anything executes', async () => {
    const account = await newAccount();
    const fields = Array.from(
      { length: 30 },
      (_, i) => `a${i}: changePassword(input: { currentPassword: "Guess-${i}-Pass!", newPassword: "Brand-New-Pass-7" }) { __typename }`,
    );
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${account.token}`, ...address() },
      body: JSON.stringify({ query: `mutation { ${fields.join('\n')} }` }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { data?: unknown; errors: { message: string }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors.length).toBeGreaterThan(0);
    // Nothing was counted: ten real attempts still reach the check.
    const ip = uniqueIp();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const result = await changePassword(url, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' }, fromAddress(ip));
      expect(result.__typename).toBe('IncorrectPasswordError');
    }
  });

  it('refuses even two aliased password fields, with a clear message', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...address() },
      body: JSON.stringify({
        query: `mutation { a: signIn(input: { email: "a@example.com", password: "Guess-1" }) { __typename }
                           b: signIn(input: { email: "a@example.com", password: "Guess-2" }) { __typename } }`,
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { data?: unknown; errors: { message: string }[] };
    expect(body).toEqual({
      errors: [
        expect.objectContaining({
          message:
            'Only one of signUp, signIn, changePassword, requestPasswordReset, resetPassword, secureAccount, requestEmailVerification, verifyEmail, requestEmailChange, confirmEmailChange, deleteAccount, startTotpEnrollment, confirmTotpEnrollment, disableTotp, regenerateRecoveryCodes, verifySecondFactor may be called per operation.',
        }),
      ],
    });
  });

  it('counts password fields hidden in fragments too', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...address() },
      body: JSON.stringify({
        query: `mutation { ...A ... on Mutation { signIn(input: { email: "a@example.com", password: "x" }) { __typename } } }
                fragment A on Mutation { signUp(input: { email: "a@example.com", password: "x" }) { __typename } }`,
      }),
    });
    expect(response.status).toBe(400);
  });

  it('refuses HTTP batching', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...address() },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});

describe('signIn rate limit', () => {
  it('limits brute force from one address to 10 per minute', async () => {
    const ip = uniqueIp();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      outcomes.push((await signIn(url, uniqueEmail('probe'), 'Wrong-Pass-123', fromAddress(ip))).__typename);
    }
    expect(outcomes).toEqual([...Array(10).fill('InvalidCredentialsError'), 'RateLimitedError']);
  });

  it('counts a whole IPv6 /64 as one client, and IPv4-mapped addresses as IPv4', async () => {
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      const address = attempt === 10 ? '::ffff:192.0.2.77' : `2001:db8:77:1:${attempt.toString(16)}::${attempt + 1}`;
      outcomes.push((await signIn(url, uniqueEmail('probe'), 'Wrong-Pass-123', fromAddress(address))).__typename);
    }
    expect(outcomes).toEqual(Array(11).fill('InvalidCredentialsError'));
    const sameNetwork = await signIn(url, uniqueEmail('probe'), 'Wrong-Pass-123', fromAddress('2001:db8:77:1:ffff::1'));
    expect(sameNetwork.__typename).toBe('RateLimitedError');
    for (let attempt = 0; attempt < 9; attempt += 1) await signIn(url, uniqueEmail('probe'), 'Wrong-Pass-123', fromAddress('192.0.2.77'));
    expect((await signIn(url, uniqueEmail('probe'), 'Wrong-Pass-123', fromAddress('::ffff:192.0.2.77'))).__typename).toBe('RateLimitedError');
  });

  it('limits one email attacked from many addresses', async () => {
    const account = await newAccount();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      outcomes.push((await signIn(url, account.email, 'Wrong-Pass-123', fromAddress(uniqueIp()))).__typename);
    }
    expect(outcomes).toEqual([...Array(10).fill('InvalidCredentialsError'), 'RateLimitedError']);
  });

  it('does not slow down other accounts signing in from other addresses', async () => {
    const victimIp = uniqueIp();
    for (let attempt = 0; attempt < 11; attempt += 1) await signIn(url, uniqueEmail('probe'), 'Wrong-Pass-123', fromAddress(victimIp));
    const accounts = await Promise.all([newAccount(), newAccount(), newAccount()]);
    for (const account of accounts) {
      expect((await signIn(url, account.email, PASSWORD, fromAddress(uniqueIp()))).__typename).toBe('AuthPayload');
    }
  });
});

describe('signUp rate limit', () => {
  it('allows 10 sign-ups per minute per address', async () => {
    const ip = uniqueIp();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 11; attempt += 1) {
      const { data } = await graphql(url, SignUpDocument, { input: { email: uniqueEmail(), password: PASSWORD } }, fromAddress(ip));
      outcomes.push(data?.signUp.__typename ?? 'none');
    }
    expect(outcomes).toEqual([...Array(10).fill('AuthPayload'), 'RateLimitedError']);
  });
});
