import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DisableTotpDocument, VerifySecondFactorDocument } from '../generated/graphql.ts';
import { PASSWORD, signIn, signUp } from '../support/accounts.ts';
import { emailLink, mailsTo } from '../support/email-links.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { enrolTotp, totpCode } from '../support/totp.ts';
import { waitUntil } from '../support/wait-until.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

// SECOND_FACTOR_ENABLED, RECOVERY_CODE_USED and SECOND_FACTOR_DISABLED reach
// the webhook and the owner's mailbox, the email with a working "This wasn't me" link.

const SECURE_URL = 'https://app.example.com/account#secure={token}';
const receiver = new WebhookReceiver();
const smtp = new SmtpSink();
let server: TestServer;
let url: string;

beforeAll(async () => {
  await receiver.start();
  await smtp.start();
  server = await startTestServer({
    WEBHOOK_URL: receiver.url,
    WEBHOOK_SECRET: 'webhook-secret-that-is-at-least-32-bytes!',
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Rekey <no-reply@example.com>',
    ACCOUNT_SECURE_URL: SECURE_URL,
    PASSWORD_RESET_URL: 'https://app.example.com/account#reset={token}',
    OUTBOX_POLL_INTERVAL: '50ms',
  });
  url = server.graphqlUrl;
});
afterAll(async () => {
  await server.close();
  await receiver.stop();
  await smtp.stop();
});

const webhookTypes = (email: string) =>
  receiver.received.map((request) => JSON.parse(request.rawBody) as { type: string; user: { email: string } }).filter((body) => body.user.email === email).map((body) => body.type);

async function mailWith(email: string, subject: string) {
  return waitUntil(async () => mailsTo(smtp, email, subject)[0], `"${subject}" to ${email}`);
}

describe('notifications of the second factor', () => {
  it('tell the owner by webhook and by email, with a "This wasn\'t me" link and no secret', async () => {
    const account = await signUp(url);
    const { secret, recoveryCodes } = await enrolTotp(url, account);
    const enabled = await mailWith(account.email, 'Two-step verification was turned on');
    expect(enabled.parsed.text).toContain(`Two-step verification (an authenticator app) was turned on for your account ${account.email}.`);
    const { token } = emailLink(enabled, SECURE_URL);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const challenge = expectType(await signIn(url, account.email, PASSWORD), 'SecondFactorChallenge');
    const verified = await run(url, VerifySecondFactorDocument, { input: { challengeToken: challenge.challengeToken, code: recoveryCodes[0]! } });
    expect(verified.verifySecondFactor.__typename).toBe('AuthPayload');
    const used = await mailWith(account.email, 'A recovery code was used');
    emailLink(used, SECURE_URL);

    const off = await run(url, DisableTotpDocument, { input: { currentPassword: PASSWORD, secondFactorCode: totpCode(secret) } }, { token: account.token });
    expect(off.disableTotp.__typename).toBe('DisableTotpSuccess');
    const disabled = await mailWith(account.email, 'Two-step verification was turned off');
    emailLink(disabled, SECURE_URL);

    await waitUntil(async () => webhookTypes(account.email).includes('SECOND_FACTOR_DISABLED'), 'the webhook of SECOND_FACTOR_DISABLED');
    expect(webhookTypes(account.email)).toEqual(expect.arrayContaining(['SECOND_FACTOR_ENABLED', 'RECOVERY_CODE_USED', 'SECOND_FACTOR_DISABLED']));

    const everything = [...smtp.received.map((mail) => mail.raw), ...receiver.received.map((request) => request.rawBody)].join('\n');
    for (const secretText of [secret, ...recoveryCodes, challenge.challengeToken]) expect(everything).not.toContain(secretText);
  });
});
