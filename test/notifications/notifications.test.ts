import { createHash, createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { retryDelayMs } from '../../src/outbox/backoff.ts';
import { OutboxRepository } from '../../src/events/outbox.repository.ts';
import { verifyWebhookSignature } from '../../src/notifications/webhook-signature.ts';
import { PASSWORD, changePassword, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { waitUntil } from '../support/wait-until.ts';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver.ts';

const WEBHOOK_SECRET = 'webhook-secret-that-is-at-least-32-bytes!';
const SECURE_URL = 'https://app.example.com/account/secure?token={token}';
const RESET_URL = 'https://app.example.com/account/reset#token={token}';

const receiver = new WebhookReceiver();
const smtp = new SmtpSink();
let server: TestServer;
let url: string;

/** Short back-off so retries happen within the test: 100 ms, 200 ms, 400 ms, then dead after 4 attempts. */
const notificationEnv = () => ({
  WEBHOOK_URL: receiver.url,
  WEBHOOK_SECRET,
  SMTP_URL: smtp.url,
  MAIL_FROM: 'Rekey <no-reply@example.com>',
  ACCOUNT_SECURE_URL: SECURE_URL,
  PASSWORD_RESET_URL: RESET_URL,
  OUTBOX_MAX_ATTEMPTS: '4',
  OUTBOX_BACKOFF_BASE: '100ms',
  OUTBOX_BACKOFF_MAX: '2s',
  OUTBOX_POLL_INTERVAL: '50ms',
});

beforeAll(async () => {
  await receiver.start();
  await smtp.start();
  server = await startTestServer(notificationEnv());
  url = server.graphqlUrl;
});
afterAll(async () => {
  await server.close();
  await receiver.stop();
  await smtp.stop();
});

const db = () => server.rekey.orm.em.fork();
const bodyOf = (request: ReceivedWebhook) => JSON.parse(request.rawBody) as { id: string; type: string; user: { email: string } };
const about = (email: string, type?: string) => (request: ReceivedWebhook) => {
  const body = bodyOf(request);
  return body.user.email === email && (type === undefined || body.type === type);
};

interface OutboxRow {
  state: string;
  attempts: number;
  last_error: string | null;
  claimed_by: string | null;
  payload: string;
}
async function outboxRow(email: string, channel: 'webhook' | 'email', kind: string): Promise<OutboxRow | undefined> {
  const [row] = await db().execute<OutboxRow[]>(
    `select o."state", o."attempts", o."last_error", o."claimed_by", o."payload"::text as "payload" from "outbox" o
     join "security_events" e on e."id" = o."event_id" join "users" u on u."id" = e."user_id"
     where u."email" = ? and o."channel" = ? and e."kind" = ?`,
    [email, channel, kind],
  );
  return row;
}

describe('webhook', () => {
  it('POSTs the event, signed with WEBHOOK_SECRET: the signature verifies with it and fails with another', async () => {
    const account = await signUp(url);
    await receiver.waitFor(1, about(account.email, 'SIGNED_UP'));
    const request = receiver.received.find(about(account.email, 'SIGNED_UP'))!;

    const [event] = await db().execute<{ id: string; occurred_at: Date }[]>(
      `select "id", "occurred_at" from "security_events" where "user_id" = ?`,
      [Number(account.user.id)],
    );
    expect(JSON.parse(request.rawBody)).toEqual({
      id: event?.id,
      type: 'SIGNED_UP',
      occurredAt: new Date(event?.occurred_at ?? 0).toISOString(),
      user: { id: account.user.id, email: account.email },
      ipAddress: '127.0.0.1',
      userAgent: 'node',
    });
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['rekey-event-id']).toBe(event?.id);

    // The documented scheme, computed here independently: t=<unix s>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.
    const signature = String(request.headers['rekey-signature']);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
    expect(match).not.toBeNull();
    const [, t = '', v1 = ''] = match ?? [];
    expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
    expect(createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${request.rawBody}`).digest('hex')).toBe(v1);
    expect(verifyWebhookSignature(Buffer.from(WEBHOOK_SECRET), request.rawBody, signature)).toBe(true);
    expect(verifyWebhookSignature(Buffer.from('another-secret-that-is-also-32-bytes-long'), request.rawBody, signature)).toBe(false);
    expect(verifyWebhookSignature(Buffer.from(WEBHOOK_SECRET), request.rawBody.replace('SIGNED_UP', 'SIGNED_IN'), signature)).toBe(false);
    expect(verifyWebhookSignature(Buffer.from(WEBHOOK_SECRET), request.rawBody, signature, { nowSeconds: Number(t) + 3_600 })).toBe(false);
    await waitUntil(async () => (await outboxRow(account.email, 'webhook', 'SIGNED_UP'))?.state === 'done', 'the message is done');
  });

  it('delivers after the receiver was down for a while', async () => {
    await receiver.stop();
    const email = uniqueEmail('down');
    try {
      await signUp(url, email);
      const failed = await waitUntil(async () => {
        const row = await outboxRow(email, 'webhook', 'SIGNED_UP');
        return row && row.attempts >= 2 ? row : null;
      }, 'two attempts have failed');
      expect(failed).toMatchObject({ state: 'pending', last_error: 'Webhook request failed: ECONNREFUSED' });
    } finally {
      await receiver.start();
    }
    await receiver.waitFor(1, about(email, 'SIGNED_UP'));
    await waitUntil(async () => (await outboxRow(email, 'webhook', 'SIGNED_UP'))?.state === 'done', 'the message is done');
  });

  it('retries 500s with growing gaps, then keeps the message as dead after OUTBOX_MAX_ATTEMPTS', async () => {
    const email = uniqueEmail('failing');
    receiver.answer = (request) => (about(email)(request) ? 500 : 200);
    try {
      await signUp(url, email);
      await receiver.waitFor(4, about(email));
      const dead = await waitUntil(async () => {
        const row = await outboxRow(email, 'webhook', 'SIGNED_UP');
        return row?.state === 'dead' ? row : null;
      }, 'the message is dead');
      expect(dead).toMatchObject({ attempts: 4, last_error: 'Webhook answered HTTP 500' });
    } finally {
      receiver.answer = () => 200;
    }
    const times = receiver.received.filter(about(email)).map((request) => request.receivedAt);
    expect(times).toHaveLength(4);
    const gaps = times.slice(1).map((time, index) => time - (times[index] ?? 0));
    // Each retry waits at least its back-off: 100 ms, 200 ms, 400 ms (measured here on the same clock).
    for (const [index, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(100 * 2 ** index - 5);
    expect(gaps[2]).toBeGreaterThan(gaps[0] ?? Infinity);
    expect((await new OutboxRepository(db()).countByState()).dead).toBeGreaterThanOrEqual(1);
  });

  it('a sign-in with an unknown email queues nothing (and spends the same statements doing so)', async () => {
    const count = async () => Number((await db().execute<{ count: string }[]>(`select count(*) as "count" from "outbox"`))[0]?.count);
    const before = await count();
    expectType(await signIn(url, uniqueEmail('nobody'), 'Wrong-Pass-123'), 'InvalidCredentialsError');
    expect(await count()).toBe(before);
  });

  it('backs off exponentially from 1 s to 1 h by default', () => {
    const delays = Array.from({ length: 14 }, (_, index) => retryDelayMs(index + 1, { baseMs: 1_000, maxMs: 3_600_000 }) / 1000);
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600]);
  });
});

describe('email', () => {
  it('"Your password was changed": time, address, device name and a single-use "This wasn\'t me" link; no other secret', async () => {
    const account = await signUp(url);
    // A real browser's user agent with a message, a URL and markup written into it: only the device's name is shown.
    const userAgent =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0 URGENT call support at https://evil.example/claim <script>alert("x")</script> & co';
    const newPassword = 'Brand-New-Pass-7';
    const result = expectType(
      await changePassword(url, account.token, { currentPassword: PASSWORD, newPassword }, { headers: { 'user-agent': userAgent } }),
      'ChangePasswordSuccess',
    );
    await waitUntil(async () => (await outboxRow(account.email, 'email', 'PASSWORD_CHANGED'))?.state === 'done', 'the email is sent');
    const mails = smtp.received.filter((received) => received.envelopeTo.includes(account.email));
    expect(mails).toHaveLength(1);
    const { parsed, raw, envelopeTo } = mails[0]!;

    expect(envelopeTo).toEqual([account.email]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.text : null).toBe(account.email);
    expect(parsed.subject).toBe('Your password was changed');
    expect(parsed.from?.value).toEqual([{ name: 'Rekey', address: 'no-reply@example.com' }]);
    const text = parsed.text ?? '';
    const html = String(parsed.html);
    expect(text).toContain(account.email);
    expect(text).toContain('Address: 127.0.0.1');
    expect(text).toContain('Device: Firefox on Windows\n');
    expect(html).toContain('Device: Firefox on Windows');
    expect(text).toMatch(/When: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    // Nothing of the client's free text reaches the message, escaped or not.
    for (const part of ['evil.example', 'URGENT', 'Mozilla', 'Gecko', 'script', 'alert']) {
      expect(raw).not.toContain(part);
    }

    const link = /https:\/\/app\.example\.com\/account\/secure\?token=([A-Za-z0-9_-]+)/.exec(text);
    expect(link).not.toBeNull();
    const token = link?.[1] ?? '';
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(html).toContain(`href="https://app.example.com/account/secure?token=${token}"`);
    const [stored] = await db().execute<{ purpose: string; user_id: number; used_at: Date | null; valid_days: number }[]>(
      `select "purpose", "user_id", "used_at", extract(epoch from ("expires_at" - now())) / 86400 as "valid_days" from "account_tokens" where "token_hash" = ?`,
      [createHash('sha256').update(token).digest('hex')],
    );
    expect(stored).toMatchObject({ purpose: 'secure_account', user_id: Number(account.user.id), used_at: null });
    expect(Number(stored?.valid_days)).toBeGreaterThan(6.99);
    expect(Number(stored?.valid_days)).toBeLessThanOrEqual(7);

    // No password, hash or session token, and the link's token only in the link (text and HTML).
    const [user] = await db().execute<{ password: string }[]>(`select "password" from "users" where "id" = ?`, [Number(account.user.id)]);
    for (const secret of [PASSWORD, newPassword, user?.password ?? '$2', account.token, result.token, WEBHOOK_SECRET]) {
      expect(raw).not.toContain(secret);
    }
    expect(text.split(token)).toHaveLength(2);
    expect(html.split(token)).toHaveLength(2);
    // The outbox stored the intent, never the token.
    expect((await outboxRow(account.email, 'email', 'PASSWORD_CHANGED'))?.payload).not.toContain(token);
  });

  it('sends the reset link on PASSWORD_RESET_REQUESTED; a newer link voids the older one', async () => {
    const account = await signUp(url);
    const user = { id: Number(account.user.id), email: account.email };
    const request = () =>
      server.rekey.deps.events.transactional(db(), (tx) =>
        server.rekey.deps.events.record(tx, { user, kind: 'PASSWORD_RESET_REQUESTED', client: { address: '127.0.0.1', userAgent: null } }),
      );
    const tokens: string[] = [];
    for (let round = 1; round <= 2; round += 1) {
      await request();
      await waitUntil(async () => {
        const rows = await db().execute<{ count: string }[]>(
          `select count(*) as "count" from "outbox" o join "security_events" e on e."id" = o."event_id"
           where e."user_id" = ? and o."channel" = 'email' and o."state" = 'done'`,
          [user.id],
        );
        return Number(rows[0]?.count) >= round;
      }, `reset email ${round} is sent`);
      const mails = smtp.received.filter((received) => received.envelopeTo.includes(account.email));
      const mail = mails[mails.length - 1];
      expect(mail?.parsed.subject).toBe('Reset your password');
      const token = /https:\/\/app\.example\.com\/account\/reset#token=([A-Za-z0-9_-]+)/.exec(mail?.parsed.text ?? '')?.[1];
      expect(token).toBeDefined();
      tokens.push(token ?? '');
    }
    const rows = await db().execute<{ token_hash: string; purpose: string; used_at: Date | null; valid_minutes: number }[]>(
      `select "token_hash", "purpose", "used_at", extract(epoch from ("expires_at" - now())) / 60 as "valid_minutes" from "account_tokens" where "user_id" = ?`,
      [user.id],
    );
    const byHash = new Map(rows.map((row) => [row.token_hash, row]));
    const [older, newer] = tokens.map((token) => byHash.get(createHash('sha256').update(token).digest('hex')));
    expect(older).toMatchObject({ purpose: 'password_reset' });
    expect(older?.used_at).not.toBeNull();
    expect(newer).toMatchObject({ purpose: 'password_reset', used_at: null });
    expect(Number(newer?.valid_minutes)).toBeGreaterThan(29);
    expect(Number(newer?.valid_minutes)).toBeLessThanOrEqual(30);
  });

  it('refuses to send to an address that could inject headers, and mints no token for it', async () => {
    const account = await signUp(url);
    const evil = `${account.email}\r\nBcc: thief@example.net`;
    await db().execute(`update "users" set "email" = ? where "id" = ?`, [evil, Number(account.user.id)]);
    const user = { id: Number(account.user.id), email: evil };
    await server.rekey.deps.events.transactional(db(), (tx) =>
      server.rekey.deps.events.record(tx, { user, kind: 'PASSWORD_CHANGED', client: { address: '127.0.0.1', userAgent: null } }),
    );
    const row = await waitUntil(async () => {
      const found = await outboxRow(evil, 'email', 'PASSWORD_CHANGED');
      return found?.last_error ? found : null;
    }, 'the attempt has failed');
    expect(row.last_error).toBe('Email not sent: the account address is not a plain address');
    expect(smtp.received.some((received) => received.raw.includes('thief@example.net'))).toBe(false);
    const [tokens] = await db().execute<{ count: string }[]>(`select count(*) as "count" from "account_tokens" where "user_id" = ?`, [user.id]);
    expect(Number(tokens?.count)).toBe(0);
  });
});

describe('shutdown', () => {
  it('close() stops the worker and hands its unfinished messages back', async () => {
    const holding = new WebhookReceiver();
    holding.answer = () => 'hold';
    await holding.start();
    const other = await startTestServer({ ...notificationEnv(), WEBHOOK_URL: holding.url, WEBHOOK_EVENTS: 'SIGNED_UP' });
    try {
      const account = await signUp(other.graphqlUrl);
      await holding.waitFor(1);
      const started = Date.now();
      const claimed = await other.rekey.orm.em.fork().execute<{ claimed_by: string | null }[]>(`select "claimed_by" from "outbox" where "channel" = 'webhook'`);
      expect(claimed).toEqual([{ claimed_by: other.rekey.outbox.id }]);

      await other.rekey.outbox.close();
      // The held request was abandoned, not waited for (the delivery timeout is 10 s).
      expect(Date.now() - started).toBeLessThan(5_000);
      const released = await other.rekey.orm.em.fork().execute<{ state: string; claimed_by: string | null; claimed_until: Date | null }[]>(
        `select "state", "claimed_by", "claimed_until" from "outbox" where "channel" = 'webhook'`,
      );
      expect(released).toEqual([{ state: 'pending', claimed_by: null, claimed_until: null }]);
      expect(account.email).toContain('@');
    } finally {
      await other.close();
      await holding.stop();
    }
  }, 60_000);
});
