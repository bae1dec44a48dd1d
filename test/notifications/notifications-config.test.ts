import { inspect } from 'node:util';
import { SECURITY_EVENT_KINDS } from '../../src/events/security-event-kind.ts';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

const SECRET = 'webhook-secret-that-is-at-least-32-bytes!';
const EMAIL = {
  SMTP_URL: 'smtp://mailer:hunter2@127.0.0.1:2525',
  MAIL_FROM: 'Rekey <no-reply@example.com>',
  ACCOUNT_SECURE_URL: 'https://app.example.com/secure?token={token}',
  PASSWORD_RESET_URL: 'https://app.example.com/reset?token={token}',
};

const refused = (env: Record<string, string>, pattern: RegExp) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(pattern);
};

describe('notification settings', () => {
  it('default: no channel, 12 attempts from 1 s to 1 h, events kept 400 days', () => {
    expect(loadConfig({}).notifications).toMatchObject({
      webhook: null,
      email: null,
      passwordResetTtlMs: 30 * 60_000,
      outbox: { maxAttempts: 12, backoffBaseMs: 1_000, backoffMaxMs: 3_600_000 },
      securityEventRetentionMs: 400 * 86_400_000,
    });
  });

  it('a webhook gets every kind unless WEBHOOK_EVENTS lists some', () => {
    const all = loadConfig({ WEBHOOK_URL: 'https://hooks.example.com/rekey', WEBHOOK_SECRET: SECRET }).notifications.webhook;
    expect(all?.events).toEqual([...SECURITY_EVENT_KINDS]);
    const some = loadConfig({ WEBHOOK_URL: 'https://hooks.example.com/rekey', WEBHOOK_SECRET: SECRET, WEBHOOK_EVENTS: 'PASSWORD_CHANGED, SIGNED_IN' });
    expect(some.notifications.webhook?.events).toEqual(['PASSWORD_CHANGED', 'SIGNED_IN']);
  });

  it('refuses a webhook without a secret of at least 32 bytes, an unknown kind, a non-http URL', () => {
    refused({ WEBHOOK_URL: 'https://hooks.example.com/rekey' }, /WEBHOOK_SECRET is required/);
    refused({ WEBHOOK_URL: 'https://hooks.example.com/rekey', WEBHOOK_SECRET: 'short' }, /WEBHOOK_SECRET must be at least 32 bytes/);
    refused({ WEBHOOK_URL: 'https://hooks.example.com/rekey', WEBHOOK_SECRET: SECRET, WEBHOOK_EVENTS: 'PASSWORD_CHANGED,HACKED' }, /WEBHOOK_EVENTS .*HACKED/);
    refused({ WEBHOOK_URL: 'ftp://hooks.example.com/rekey', WEBHOOK_SECRET: SECRET }, /WEBHOOK_URL/);
  });

  it('email needs MAIL_FROM and both link templates with {token}', () => {
    expect(loadConfig(EMAIL).notifications.email).toMatchObject({ from: 'Rekey <no-reply@example.com>' });
    refused({ ...EMAIL, SMTP_URL: 'http://127.0.0.1:2525' }, /SMTP_URL must be a URL starting with smtp:\/\/ or smtps:\/\//);
    refused({ ...EMAIL, MAIL_FROM: '' }, /MAIL_FROM is required with SMTP_URL/);
    refused({ ...EMAIL, ACCOUNT_SECURE_URL: 'https://app.example.com/secure' }, /ACCOUNT_SECURE_URL must contain \{token\}/);
    refused({ ...EMAIL, PASSWORD_RESET_URL: 'javascript:alert(1)//{token}' }, /PASSWORD_RESET_URL/);
  });

  it('refuses a MAIL_FROM that could add a header or a recipient', () => {
    for (const from of ['no-reply@example.com\r\nBcc: thief@example.net', 'a@example.com, b@example.com', 'not an address']) {
      refused({ ...EMAIL, MAIL_FROM: from }, /MAIL_FROM must be an address/);
    }
  });

  it('keeps the SMTP URL (which may hold a password) and the webhook secret out of logs', () => {
    const config = loadConfig({ ...EMAIL, WEBHOOK_URL: 'https://hooks.example.com/rekey', WEBHOOK_SECRET: SECRET });
    const printed = `${inspect(config, { depth: 10 })} ${JSON.stringify(config)}`;
    expect(printed).not.toContain('hunter2');
    expect(printed).not.toContain(SECRET);
  });
});
