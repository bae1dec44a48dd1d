import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchChromium } from '../support/chromium.ts';
import { PASSWORD, signUp } from '../support/accounts.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { awaitFreshStep, totpCode } from '../support/totp.ts';

// The account page's two-step verification in Debian's Chromium (playwright-core, no downloaded
// browser): enrol with the QR code and the key, recovery codes shown once and downloaded, the
// sign-in's second step, the code field of the password change, and turning it off.

const inBrowser = describeInBrowser();

let server: TestServer;
let browser: Browser | undefined;
beforeAll(async () => {
  server = await startTestServer({ SESSION_COOKIE: 'true' });
});
afterAll(async () => {
  await browser?.close();
  await server.close();
});

const panel = (page: Page) => page.locator('section[data-panel]:not([hidden])');

async function signInInPage(page: Page, email: string, password: string) {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await panel(page).getByLabel('Email').fill(email);
  await panel(page).getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

inBrowser('two-step verification on the account page', () => {
  it('enrols with the QR code, keeps the recovery codes once, signs in with a code and changes the password with one', async () => {
    browser = await launchChromium();
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 900, height: 1000 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const account = await signUp(server.graphqlUrl);
    await page.goto(`${server.url}/account`);

    await signInInPage(page, account.email, PASSWORD);
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();
    await expect(page.locator('#change-password-code').isHidden()).resolves.toBe(true);

    // Enrol: the password, then the QR code (an inline SVG) and the key to type.
    await page.getByRole('button', { name: 'Two-step verification' }).click();
    await page.locator('#two-step-state').filter({ hasText: 'Off' }).waitFor();
    await awaitFreshStep();
    await page.locator('#totp-start-form').getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.locator('#totp-qr svg').waitFor();
    const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('The code your app shows now').fill(totpCode(secret, -1));
    await page.getByRole('button', { name: 'Turn on' }).click();

    // The recovery codes, once, with a download.
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    const codes = await page.locator('#recovery-codes-list code').allTextContents();
    expect(codes).toHaveLength(10);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('rekey-recovery-codes.txt');
    const saved = readFileSync((await download.path()) ?? '', 'utf8');
    for (const code of codes) expect(saved).toContain(code);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await expect(page.locator('#recovery-codes-list li').count()).resolves.toBe(0);
    await page.locator('#two-step-state').filter({ hasText: '10 of 10 recovery codes left' }).waitFor();

    // Sign out, then the sign-in's second step.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signInInPage(page, account.email, PASSWORD);
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await panel(page).getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await panel(page).locator('[data-error]').filter({ hasText: 'incorrect' }).waitFor();
    await panel(page).getByLabel('Code').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();

    // The password change shows the code field and needs it.
    await expect(page.locator('#change-password-code').isVisible()).resolves.toBe(true);
    const form = page.locator('#change-password-form');
    await form.getByLabel('Current password').fill(PASSWORD);
    await form.getByLabel('New password').fill('Brand-New-Secret-42');
    await form.getByLabel('Code from your authenticator app (or a recovery code)').fill(codes[0]!);
    await form.getByRole('button', { name: 'Change password' }).click();
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Password changed successfully.');

    // Turned off with the password and a code: the state says so.
    await page.getByRole('button', { name: 'Two-step verification' }).click();
    await page.locator('#two-step-state').filter({ hasText: '9 of 10 recovery codes left' }).waitFor();
    const disable = page.locator('#totp-disable-form');
    await disable.getByLabel('Current password').fill('Brand-New-Secret-42');
    await disable.getByLabel('Code from your authenticator app (or a recovery code)').fill(codes[1]!);
    await disable.getByRole('button', { name: 'Turn off two-step verification' }).click();
    await page.waitForFunction(() => document.getElementById('two-step-state')?.textContent?.startsWith('Off'));
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);
});
