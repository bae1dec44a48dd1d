import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openOrm } from '../../src/server/database.ts';
import { PASSWORD, changePassword, signUp } from '../support/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { expectType } from '../support/graphql.ts';
import { startServerProcess, type ServerProcess } from '../support/server-process.ts';
import { TEST_SECRET } from '../support/server.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

const receiver = new WebhookReceiver();
const smtp = new SmtpSink();
let database: TestDatabase;
const running: ServerProcess[] = [];

beforeAll(async () => {
  await receiver.start();
  await smtp.start();
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const server of running) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  await receiver.stop();
  await smtp.stop();
  await database.drop();
});

describe('crash safety of the outbox', () => {
  it('a server killed after the change committed and before delivery delivers the webhook and email after restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rekey-outbox-crash-'));
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      JWT_SECRET: TEST_SECRET,
      DATA_DIR: dataDir,
      PORT: '0',
      BCRYPT_COST: '4',
      WEBHOOK_URL: receiver.url,
      WEBHOOK_SECRET: 'webhook-secret-that-is-at-least-32-bytes!',
      WEBHOOK_EVENTS: 'PASSWORD_CHANGED',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'no-reply@example.com',
      ACCOUNT_SECURE_URL: 'https://app.example.com/secure?token={token}',
      PASSWORD_RESET_URL: 'https://app.example.com/reset?token={token}',
      // A dead worker's claim expires after 6 s; deliveries time out after half of that.
      OUTBOX_CLAIM_TIMEOUT: '6s',
      OUTBOX_POLL_INTERVAL: '100ms',
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    };

    // Both receivers take the delivery and stall: the messages are claimed and in flight, not done.
    receiver.answer = () => 'hold';
    smtp.hold = true;
    const first = await startServerProcess(env);
    running.push(first);
    const account = await signUp(first.url);
    expectType(await changePassword(first.url, account.token, { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' }), 'ChangePasswordSuccess');
    await Promise.all([receiver.waitFor(1), smtp.waitFor(1, { held: true })]);
    first.child.kill('SIGKILL');
    expect((await first.exited)[1]).toBe('SIGKILL');
    expect(receiver.received.every((request) => request.answered === null)).toBe(true);
    expect(smtp.received).toHaveLength(0);

    receiver.answer = () => 200;
    smtp.hold = false;
    const second = await startServerProcess(env);
    running.push(second);
    await Promise.all([receiver.waitFor(1, (request) => request.answered === 200), smtp.waitFor(1)]);
    second.child.kill('SIGTERM');
    expect((await second.exited)[0]).toBe(0);

    // Nothing lost; a repeat carries the same event id, so a receiver can drop it.
    const eventIds = new Set(receiver.received.map((request) => request.headers['rekey-event-id']));
    expect(eventIds.size).toBe(1);
    const body = JSON.parse(receiver.received.at(-1)?.rawBody ?? '{}') as { id: string; type: string; user: { email: string } };
    expect(body).toMatchObject({ type: 'PASSWORD_CHANGED', user: { email: account.email } });
    expect(eventIds.has(body.id)).toBe(true);
    expect(smtp.received.map((mail) => mail.envelopeTo)).toEqual([[account.email]]);
    expect(smtp.received[0]?.parsed.subject).toBe('Your password was changed');

    const orm = await openOrm({ databaseUrl: database.databaseUrl, pgliteDir: join(dataDir, 'pglite') });
    try {
      const rows = await orm.em.fork().execute<{ channel: string; state: string; event_id: string }[]>(
        `select "channel", "state", "event_id" from "outbox" order by "channel"`,
      );
      expect(rows).toEqual([
        { channel: 'email', state: 'done', event_id: body.id },
        { channel: 'webhook', state: 'done', event_id: body.id },
      ]);
    } finally {
      await orm.close(true);
    }
  }, 120_000);
});
