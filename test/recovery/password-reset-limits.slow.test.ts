import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestPasswordResetDocument, ResetPasswordDocument, SecureAccountDocument } from '../generated/graphql.ts';
import { signUp, uniqueEmail } from '../support/accounts.ts';
import { run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// docs/api/reset-and-recovery.md: requestPasswordReset is limited
// per client address and per email (PASSWORD_RESET_RATE_LIMIT per
// PASSWORD_RESET_RATE_WINDOW; 5 per hour by default), unknown emails alike;
// resetPassword and secureAccount per address (RESET_TOKEN_RATE_LIMIT).
const stores = process.env.REDIS_URL ? (['in-process', 'Redis'] as const) : (['in-process'] as const);

const fromAddress = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe.each(stores)('recovery limits (%s store)', (store) => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer(
      { TRUST_PROXY: '1', PASSWORD_RESET_RATE_LIMIT: '3', PASSWORD_RESET_EMAIL_RATE_LIMIT: '3', PASSWORD_RESET_RATE_WINDOW: '1h', RESET_TOKEN_RATE_LIMIT: '3' },
      { useRedis: store === 'Redis' },
    );
    url = server.graphqlUrl;
  });
  afterAll(() => server.close());

  const request = async (email: string, ip: string) => (await run(url, RequestPasswordResetDocument, { input: { email } }, fromAddress(ip))).requestPasswordReset;

  it('per email: the fourth request for one email within the hour is refused, from whatever address, known or not', async () => {
    for (const email of [(await signUp(url)).email, uniqueEmail('nobody')]) {
      for (const ip of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) expect((await request(email, ip)).__typename).toBe('RequestPasswordResetSuccess');
      const refused = await request(email, '198.51.100.4');
      expect(refused.__typename).toBe('RateLimitedError');
      // The hour's window: the wait is counted in minutes, not seconds.
      expect(refused.__typename === 'RateLimitedError' && refused.retryAfterSeconds).toBeGreaterThan(3_000);
    }
  });

  it('per address: the fourth request from one address is refused, and spends none of that email\'s budget', async () => {
    const ip = '203.0.113.9';
    for (let index = 0; index < 3; index += 1) expect((await request(uniqueEmail('probe'), ip)).__typename).toBe('RequestPasswordResetSuccess');
    const victim = (await signUp(url)).email;
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await request(victim, ip)).__typename).toBe('RateLimitedError');
    // The refused calls left the victim's email its whole allowance.
    for (const other of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) expect((await request(victim, other)).__typename).toBe('RequestPasswordResetSuccess');
  });

  it('per address: resetPassword and secureAccount share RESET_TOKEN_RATE_LIMIT, counted before any token lookup', async () => {
    const ip = '203.0.113.77';
    const token = () => randomBytes(32).toString('base64url');
    const reset = async () =>
      (await run(url, ResetPasswordDocument, { input: { token: token(), newPassword: 'Fresh-Start-2026' } }, fromAddress(ip))).resetPassword.__typename;
    const secure = async () => (await run(url, SecureAccountDocument, { input: { token: token() } }, fromAddress(ip))).secureAccount.__typename;
    expect([await reset(), await secure(), await reset()]).toEqual(['InvalidResetTokenError', 'InvalidResetTokenError', 'InvalidResetTokenError']);
    expect([await reset(), await secure()]).toEqual(['RateLimitedError', 'RateLimitedError']);
    // Another address is not affected.
    expect((await run(url, SecureAccountDocument, { input: { token: token() } }, fromAddress('192.0.2.44'))).secureAccount.__typename).toBe(
      'InvalidResetTokenError',
    );
  });

  it('holds exactly under concurrency: of 10 simultaneous requests for one email, 3 pass', async () => {
    const email = uniqueEmail('burst');
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => request(email, `198.18.0.${index + 1}`)));
    const passed = results.filter((result) => result.__typename === 'RequestPasswordResetSuccess');
    expect(passed).toHaveLength(3);
  });
});
