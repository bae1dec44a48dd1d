import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccountAdministration } from '../../src/identity/account-administration.ts';
import { PASSWORD, signUp, uniqueEmail } from '../support/accounts.ts';
import { waitForMail } from '../support/email-links.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

// docs/operations/admin-cli.md, "Who did it": every account change by an operator records an
// ADMIN_* event naming the operator; the owner is emailed where their credentials changed.
const smtp = new SmtpSink();
const webhooks = new WebhookReceiver();
let server: TestServer;
beforeAll(async () => {
  await smtp.start();
  await webhooks.start();
  server = await startTestServer({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Rekey <no-reply@example.com>',
    ACCOUNT_SECURE_URL: 'https://app.example.com/account#secure={token}',
    PASSWORD_RESET_URL: 'https://app.example.com/account#reset={token}',
    WEBHOOK_URL: webhooks.url,
    WEBHOOK_SECRET: 'webhook-secret-that-is-at-least-32-bytes!',
    OUTBOX_POLL_INTERVAL: '50ms',
  });
}, 120_000);
afterAll(async () => {
  await server?.close();
  await webhooks.stop();
  await smtp.stop();
});

const admin = () => new AccountAdministration(server.rekey.orm.em.fork(), server.rekey.deps, 'ops-dana');
const typesFor = (email: string) =>
  webhooks.received.map((request) => JSON.parse(request.rawBody) as { type: string; user: { email: string }; userAgent: string | null }).filter((body) => body.user.email === email);

describe('what an operator does to an account is recorded and, for credentials, told to its owner', () => {
  it('set-password: ADMIN_PASSWORD_SET, and the owner gets "Your password was changed"', async () => {
    const owner = await signUp(server.graphqlUrl);
    await admin().setPassword(owner.email, 'Operator-Chosen-Pass-5');
    const mail = await waitForMail(smtp, owner.email);
    expect(mail.parsed.subject).toMatch(/password was changed/i);
    await webhooks.waitFor(1, (request) => request.rawBody.includes('ADMIN_PASSWORD_SET') && request.rawBody.includes(owner.email));
    const event = typesFor(owner.email).find((body) => body.type === 'ADMIN_PASSWORD_SET');
    expect(event?.userAgent).toBe('rekey admin CLI (operator: ops-dana)');
  });

  it('create-user records SIGNED_UP; revoke, unlock, disable and enable their ADMIN_* kinds, with no mail', async () => {
    const email = uniqueEmail('created');
    await admin().createUser(email, PASSWORD);
    await admin().revokeSessions(email);
    await admin().unlock(email);
    await admin().disable(email);
    await admin().enable(email);
    const kinds = ['SIGNED_UP', 'ADMIN_SESSIONS_REVOKED', 'ADMIN_ACCOUNT_UNLOCKED', 'ADMIN_ACCOUNT_DISABLED', 'ADMIN_ACCOUNT_ENABLED'];
    await webhooks.waitFor(kinds.length, (request) => request.rawBody.includes(email));
    expect(typesFor(email).map((body) => body.type).sort()).toEqual([...kinds].sort());
    for (const body of typesFor(email)) expect(body.userAgent).toBe('rekey admin CLI (operator: ops-dana)');
    expect(smtp.received.filter((mail) => mail.envelopeTo.includes(email))).toEqual([]);
  });
});
