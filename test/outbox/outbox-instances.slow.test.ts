import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PASSWORD, changePassword, signUp, uniqueEmail } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { waitUntil } from '../support/wait-until.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

// Several instances share one database only on a PostgreSQL server (embedded PGlite is one process's).
const onPostgres = process.env.DATABASE_URL ? describe : describe.skip;

const CHANGES = 50;
const receiver = new WebhookReceiver();
const smtp = new SmtpSink();
let database: TestDatabase;
const instances: TestServer[] = [];

beforeAll(async () => {
  if (!process.env.DATABASE_URL) return;
  await receiver.start();
  await smtp.start();
  database = await createTestDatabase();
  const env = {
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: 'webhook-secret-that-is-at-least-32-bytes!',
    WEBHOOK_EVENTS: 'PASSWORD_CHANGED',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'no-reply@example.com',
    ACCOUNT_SECURE_URL: 'https://app.example.com/secure?token={token}',
    PASSWORD_RESET_URL: 'https://app.example.com/reset?token={token}',
    // Both workers poll often, so they compete for the same rows.
    OUTBOX_POLL_INTERVAL: '20ms',
  };
  for (let index = 0; index < 2; index += 1) instances.push(await startTestServer(env, { database }));
});
afterAll(async () => {
  for (const instance of instances) await instance.close();
  if (!process.env.DATABASE_URL) return;
  await receiver.stop();
  await smtp.stop();
  await database.drop();
});

onPostgres('two instances on one PostgreSQL', () => {
  it(`deliver every notification of ${CHANGES} changes exactly once between them`, async () => {
    const on = (index: number) => instances[index % 2]!.graphqlUrl;
    const accounts = await Promise.all(Array.from({ length: CHANGES }, (_, index) => signUp(on(index), uniqueEmail('pair'))));
    const results = await Promise.all(
      accounts.map((account, index) => changePassword(on(index + 1), account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' })),
    );
    expect(results.every((result) => result.__typename === 'ChangePasswordSuccess')).toBe(true);

    await Promise.all([receiver.waitFor(CHANGES), smtp.waitFor(CHANGES)]);
    const db = instances[0]!.rekey.orm.em.fork();
    const rows = await waitUntil(async () => {
      const found = await db.execute<{ state: string; claimed_by: string }[]>(`select "state", "claimed_by" from "outbox"`);
      return found.length === 2 * CHANGES && found.every((row) => row.state === 'done') ? found : null;
    }, 'every message is done');

    // Every event once, none twice: no message was delivered by both instances.
    const eventIds = receiver.received.map((request) => String(request.headers['rekey-event-id']));
    expect(eventIds).toHaveLength(CHANGES);
    expect(new Set(eventIds).size).toBe(CHANGES);
    const recipients = smtp.received.flatMap((mail) => mail.envelopeTo);
    expect(recipients).toHaveLength(CHANGES);
    expect(new Set(recipients)).toEqual(new Set(accounts.map((account) => account.email)));
    // Both workers took part.
    expect(new Set(rows.map((row) => row.claimed_by))).toEqual(new Set(instances.map((instance) => instance.rekey.outbox.id)));
  }, 120_000);
});
