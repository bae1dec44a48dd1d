import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RequestPasswordResetDocument } from '../generated/graphql.ts';
import { signUp, uniqueEmail } from '../support/accounts.ts';
import { graphql } from '../support/graphql.ts';
import { mailsTo } from '../support/email-links.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { median, timed } from '../support/timing.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

// requestPasswordReset must not tell whether an email has an account, not
// even by its duration: one lookup either way, then the same statements with
// rows of the same size (for an unknown email in a savepoint that is rolled
// back), and no hashing either way. Email is on (a real SMTP server here): a
// known email's message is queued, and sent by the outbox worker's poll, not
// by the request. The poll is slowed down while measuring, because the SMTP
// server and its mail parser run in this test's process and would land on
// whichever requests happen to follow a known one; the links are sent after.
const smtp = new SmtpSink();
let server: TestServer;
beforeAll(async () => {
  await smtp.start();
  server = await startTestServer({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Rekey <no-reply@example.com>',
    PASSWORD_RESET_URL: 'https://app.example.com/account#reset={token}',
    ACCOUNT_SECURE_URL: 'https://app.example.com/account#secure={token}',
    OUTBOX_POLL_INTERVAL: '10m',
  });
}, 120_000);
afterAll(async () => {
  await server.close();
  await smtp.stop();
});

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
    // ABBA order: each kind follows each kind equally often, so drift in machine load weighs on both alike.
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
    // The known email's requests were real: their links go out (here, when the worker is asked to look).
    for (;;) {
      if ((await server.rekey.outbox.runOnce()) === 0) break;
    }
    expect(mailsTo(smtp, account.email, 'Reset your password').length).toBeGreaterThanOrEqual(known.length);
    expect(smtp.received.every((mail) => mail.envelopeTo.includes(account.email))).toBe(true);
  }, 300_000);
});
