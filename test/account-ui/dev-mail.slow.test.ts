import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import { describeInBrowser, launchChromium } from '../support/chromium.ts';
import { createLogger } from '../../src/observability/logging.ts';
import { PASSWORD, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitUntil } from '../support/wait-until.ts';

// docs/operations/dev-mail.md: in development without SMTP_URL, every mail is an
// .eml file in DATA_DIR/mail/, the log names the file (never the link), and
// "Forgot password" on the account page works from it.

const inBrowser = describeInBrowser();

/** A free loopback port: the mail's links name the server's address, so it must be known before the server starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

let server: TestServer;
let dataDir: string;
let browser: Browser | undefined;
const logLines: string[] = [];
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rekey-dev-mail-'));
  const log = createLogger('info', (_level, line) => logLines.push(line));
  server = await startTestServer({ NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(await freePort()), OUTBOX_POLL_INTERVAL: '100ms' }, { log });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

inBrowser('development mail', () => {
  it('writes the reset mail to DATA_DIR/mail, logs the file but not the link, and the page resets from its link', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail('newcomer'));
    browser = await launchChromium();
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/account`);
      await page.getByRole('button', { name: 'Forgot your password?' }).click();
      await page.locator('section[data-panel]:not([hidden])').getByLabel('Email').fill(account.email);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await page.getByRole('status').getByText('If an account exists for that email').waitFor();

      const mailDir = join(dataDir, 'mail');
      // The sign-up's verification mail is there too: the reset mail is the one with a reset link.
      const isReset = (name: string) => name.endsWith('.eml') && readFileSync(join(mailDir, name), 'utf8').includes('#reset=');
      const file: string = await waitUntil(async () => (existsSync(mailDir) ? readdirSync(mailDir).find(isReset) : undefined), 'the reset .eml file');
      const mail = await simpleParser(readFileSync(join(mailDir, file)));
      expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(account.email);
      const link = (mail.text ?? '').match(/http:\/\/127\.0\.0\.1:\d+\/account#reset=[\w%.-]+/)?.[0];
      if (link === undefined) throw new Error(`no reset link in:\n${mail.text}`);
      const token = decodeURIComponent(link.split('#reset=')[1] ?? '');

      const logged = logLines.filter((line) => line.includes(file));
      expect(logged).toHaveLength(1);
      expect(logLines.join('\n')).not.toContain(token);
      expect(logLines.join('\n')).not.toContain(encodeURIComponent(token));

      await page.goto(link);
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await page.locator('#reset-form').getByLabel('New password').fill('Fresh-From-The-Eml-9');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByRole('status').getByText('Your password has been reset.').waitFor();
      expect((await signIn(server.graphqlUrl, account.email, 'Fresh-From-The-Eml-9')).__typename).toBe('AuthPayload');
      expect((await signIn(server.graphqlUrl, account.email, PASSWORD)).__typename).toBe('InvalidCredentialsError');
    } finally {
      await context.close();
    }
  }, 120_000);
});
