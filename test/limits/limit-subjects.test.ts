import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { WindowAttemptLimiter } from '../../src/limits/attempt-limiter.ts';
import { MemoryWindowLog } from '../../src/limits/window-stores.ts';
import { PASSWORD, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// docs/api/limits.md: a call refused by one subject's
// limit spends no other subject's budget. Otherwise an attacker whose address
// is already over its limit keeps a victim's email refused for its owner.
const stores = process.env.REDIS_URL ? (['in-process', 'Redis'] as const) : (['in-process'] as const);

const fromAddress = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe.each(stores)('a refused subject spends no other subject\'s budget (%s store)', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: '1', SIGN_IN_RATE_LIMIT: '10', SIGN_IN_EMAIL_RATE_LIMIT: '10' }, { useRedis: store === 'Redis' });
  });
  afterAll(() => server.close());

  it('an attacker address hammering a victim\'s email does not stop the owner signing in from elsewhere', async () => {
    const victim = await signUp(server.graphqlUrl);
    const attacker = '203.0.113.66';
    // The attacker's address spends its own budget first...
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await signIn(server.graphqlUrl, uniqueEmail('probe'), 'Wrong-Pass-123', fromAddress(attacker))).__typename).toBe('InvalidCredentialsError');
    }
    // ...then hammers the victim's email: every call is refused by the address limit.
    const hammering = await Promise.all(
      Array.from({ length: 30 }, () => signIn(server.graphqlUrl, victim.email, 'Wrong-Pass-123', fromAddress(attacker))),
    );
    expect(new Set(hammering.map((result) => result.__typename))).toEqual(new Set(['RateLimitedError']));

    const owner = await signIn(server.graphqlUrl, victim.email, PASSWORD, fromAddress('198.51.100.23'));
    expect(owner.__typename).toBe('AuthPayload');
  });
});

describe('the in-process log', () => {
  const rule = { max: 2, windowMs: 60_000 };

  it('creates no key for a refused call', () => {
    const log = new MemoryWindowLog({ maxKeys: 100 });
    try {
      log.consume(['address:a', 'email:x'], rule, 1_000);
      log.consume(['address:a', 'email:y'], rule, 1_000);
      const size = log.size;
      expect(log.consume(['address:a', 'email:z'], rule, 1_000)).toEqual({ admitted: false, retryAfterMs: 60_000 });
      expect(log.size).toBe(size);
      expect(log.consume(['address:b', 'email:z'], rule, 1_000)).toEqual({ admitted: true });
    } finally {
      log.close();
    }
  });

  it('never forgets a live window to make room: a flood of fresh keys is refused instead', () => {
    const log = new MemoryWindowLog({ maxKeys: 10 });
    try {
      log.consume(['email:victim'], rule, 1_000);
      log.consume(['email:victim'], rule, 1_000);
      const flood = Array.from({ length: 50 }, (_, i) => {
        try {
          return log.consume([`email:fresh-${i}`], rule, 2_000).admitted;
        } catch {
          return 'refused: log full';
        }
      });
      expect(flood.filter((outcome) => outcome === true)).toHaveLength(9);
      expect(flood.filter((outcome) => outcome === 'refused: log full')).toHaveLength(41);
      // The victim's window is intact: still full.
      expect(log.consume(['email:victim'], rule, 3_000)).toEqual({ admitted: false, retryAfterMs: 58_000 });
    } finally {
      log.close();
    }
  });

  it('makes room by dropping only windows that have expired', () => {
    const log = new MemoryWindowLog({ maxKeys: 2 });
    try {
      log.consume(['email:old'], rule, 1_000);
      log.consume(['email:live'], rule, 50_000);
      // At 61 s the first window has expired, the second has not.
      expect(log.consume(['email:new'], rule, 61_000)).toEqual({ admitted: true });
      expect(() => log.consume(['email:newer'], rule, 61_000)).toThrow(/full/);
      expect(log.retryAfterMs('email:live', { max: 1, windowMs: 60_000 }, 61_000)).toBe(49_000);
    } finally {
      log.close();
    }
  });

  it('fails closed with a clear answer when the log is full', async () => {
    const limiter = WindowAttemptLimiter.inMemory({ signIn: rule, trustedSignIn: rule, signUp: rule, changePassword: rule, refreshSession: rule, requestPasswordReset: rule, redeemAccountToken: rule, secondFactor: rule }, { maxKeys: 2 });
    try {
      await limiter.consume('signIn', ['address:a', 'email:a']);
      await expect(limiter.consume('signIn', ['address:b', 'email:b'])).rejects.toThrow('The rate-limit store is unreachable');
    } finally {
      await limiter.close();
    }
  });
});

(process.env.REDIS_URL ? describe : describe.skip)('the Redis script', () => {
  let redis: Redis;
  const prefix = `rekey-test:${randomUUID()}:`;
  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
  });
  afterAll(() => redis.quit());

  it('records a call under every subject or under none, and creates no key for a refused call', async () => {
    const rule = { max: 2, windowMs: 60_000 };
    const rules = { signIn: rule, trustedSignIn: rule, signUp: rule, changePassword: rule, refreshSession: rule, requestPasswordReset: rule, redeemAccountToken: rule, secondFactor: rule };
    const limiter = WindowAttemptLimiter.redis(rules, redis.duplicate(), (subject) => subject, prefix);
    try {
      expect(await limiter.consume('signIn', ['address:a', 'email:x'])).toEqual({ limited: false });
      expect(await limiter.consume('signIn', ['address:a', 'email:y'])).toEqual({ limited: false });
      const refused = await limiter.consume('signIn', ['address:a', 'email:z']);
      expect(refused).toMatchObject({ limited: true });
      expect(await redis.exists(`${prefix}signIn:email:z`)).toBe(0);
      expect(await redis.zcard(`${prefix}signIn:email:x`)).toBe(1);
    } finally {
      await limiter.close();
    }
  });
});

/** signIn: 2 per address, 3 per email; every other action 2. */
const ruled = (rule = { max: 2, windowMs: 60_000 }) => ({
  signIn: { ...rule, bySubject: { email: { max: 3, windowMs: 60_000 } } },
  trustedSignIn: rule,
  signUp: rule,
  changePassword: rule,
  refreshSession: rule,
  requestPasswordReset: rule,
  redeemAccountToken: rule,
  secondFactor: rule,
});

/** The same behaviour from both stores: each subject against its own rule, all or nothing, and an operator's forgetting. */
async function expectRuledSubjects(limiter: WindowAttemptLimiter) {
  try {
    // The email's budget (3) outlasts one address's (2): a second address still gets in.
    expect(await limiter.consume('signIn', ['address:a', 'email:v'])).toEqual({ limited: false });
    expect(await limiter.consume('signIn', ['address:a', 'email:v'])).toEqual({ limited: false });
    expect(await limiter.consume('signIn', ['address:a', 'email:v'])).toMatchObject({ limited: true });
    expect(await limiter.consume('signIn', ['address:b', 'email:v'])).toEqual({ limited: false });
    expect(await limiter.consume('signIn', ['address:c', 'email:v'])).toMatchObject({ limited: true });
    // A lone email subject is counted against the email's rule too.
    expect(await limiter.consume('signIn', ['email:w'])).toEqual({ limited: false });
    expect(await limiter.consume('signIn', ['email:w'])).toEqual({ limited: false });
    expect(await limiter.consume('signIn', ['email:w'])).toEqual({ limited: false });
    expect(await limiter.consume('signIn', ['email:w'])).toMatchObject({ limited: true });
    // Forgetting the email frees it at once, whatever the action; the address stays counted.
    await limiter.forget(['email:v']);
    expect(await limiter.consume('signIn', ['address:c', 'email:v'])).toEqual({ limited: false });
    expect(await limiter.consume('signIn', ['address:a', 'email:other'])).toMatchObject({ limited: true });
  } finally {
    await limiter.close();
  }
}

describe('rules per kind of subject', () => {
  it('in process', async () => {
    await expectRuledSubjects(WindowAttemptLimiter.inMemory(ruled()));
  });

  (process.env.REDIS_URL ? it : it.skip)('in Redis', async () => {
    const redis = new Redis(process.env.REDIS_URL!);
    await expectRuledSubjects(WindowAttemptLimiter.redis(ruled(), redis, (subject) => subject, `rekey-test:${randomUUID()}:`));
  });
});
