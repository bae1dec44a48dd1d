import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestPasswordResetDocument } from './generated/graphql.ts';
import { signUp, uniqueEmail } from './support/accounts.ts';
import { graphql } from './support/graphql.ts';
import { mailsTo } from './support/email-links.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { SmtpSink } from './support/smtp-sink.ts';

// requestPasswordReset must not tell whether an email has an account, not
// even by its duration: an unknown email runs the same statements (the lookup,
// then an event's transaction that writes a real row and removes it) and no
// hashing happens either way. Email delivery is on (a real SMTP server here),
// so a known email's outbox message is delivered in the background, as in production.
const smtp = new SmtpSink();
let server: TestServer;
beforeAll(async () => {
  await smtp.start();
  server = await startTestServer({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Rekey <no-reply@example.com>',
    PASSWORD_RESET_URL: 'https://app.example.com/account#reset={token}',
    ACCOUNT_SECURE_URL: 'https://app.example.com/account#secure={token}',
    OUTBOX_POLL_INTERVAL: '50ms',
  });
}, 120_000);
afterAll(async () => {
  await server.close();
  await smtp.stop();
});

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await action();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

describe('requestPasswordReset timing', () => {
  it('takes the same time for an unknown email as for a known one (100 each, medians within 10%)', async () => {
    const account = await signUp(server.graphqlUrl);
    const request = async (email: string) => {
      const response = await graphql(server.graphqlUrl, RequestPasswordResetDocument, { input: { email } });
      expect(response.data?.requestPasswordReset.__typename).toBe('RequestPasswordResetSuccess');
    };
    // Warm-up: the first requests of a process pay for compiling and caching both paths.
    for (let round = 0; round < 10; round += 1) {
      await request(account.email);
      await request(uniqueEmail('nobody'));
    }
    const known: number[] = [];
    const unknown: number[] = [];
    // ABBA order: each kind follows each kind equally often, so the background
    // delivery a known email starts weighs on both alike, as does drift in machine load.
    for (let round = 0; round < 100; round += 1) {
      const order = round % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
      for (const kind of order) {
        if (kind === 'known') known.push(await timed(() => request(account.email)));
        else unknown.push(await timed(() => request(uniqueEmail('nobody'))));
      }
    }
    const [knownMedian, unknownMedian] = [median(known), median(unknown)];
    console.log(`requestPasswordReset medians: known email ${knownMedian.toFixed(2)} ms, unknown email ${unknownMedian.toFixed(2)} ms`);
    expect(Math.abs(unknownMedian - knownMedian) / knownMedian).toBeLessThan(0.1);
    // The known email's links were really sent (the test measured the real path).
    expect(mailsTo(smtp, account.email).length).toBeGreaterThan(0);
  }, 300_000);
});
