import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { describeInBrowser, launchChromium } from '../support/chromium.ts';
import { PASSWORD, signIn, uniqueEmail } from '../support/accounts.ts';
import { waitForLink } from '../support/email-links.ts';
import { LINKS, startMailTestServer, type MailTestServer } from '../support/mail-server.ts';

// The /account page's address features (docs/account-page.md, docs/api/email-address.md) in Debian's
// Chromium: the verification banner and resend, a change of address through both links, and deleting
// the account with its confirmation step. Every link comes from an email the server sent.

const inBrowser = describeInBrowser();

let server: MailTestServer;
let browser: Browser | undefined;
beforeAll(async () => {
  // Cookie mode: after a link, the page resumes the session from the refresh cookie.
  server = await startMailTestServer({ SESSION_COOKIE: 'true' });
});
afterAll(async () => {
  await browser?.close();
  await server.stop();
});

const panel = (page: Page) => page.locator('section[data-panel]:not([hidden])');
const status = (page: Page, text: string) => page.getByRole('status').getByText(text).waitFor();
/** The page a link opens: the same fragment as the emailed link, on this server. */
const landing = (template: string, token: string) => `${server.url}/account#${template.split('#')[1]?.replace('{token}', token)}`;

inBrowser('the address on the /account page', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });

  it('verifies through the banner’s fresh link, changes the address through both emails, then deletes the account after a confirmation step', async () => {
    if (!browser) throw new Error('Chromium is not running');
    const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
    context.setDefaultTimeout(10_000);
    const errors: string[] = [];
    try {
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${server.url}/account`);
      const email = uniqueEmail('page');
      await page.getByRole('button', { name: 'Create an account' }).click();
      await panel(page).getByLabel('Email').fill(email);
      await panel(page).getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Change your password' }).waitFor();

      // Unverified: the banner, and a fresh link on request (the sign-up's is the first).
      await page.locator('#verify-banner:not([hidden])').waitFor();
      await page.getByRole('button', { name: 'Send a new link' }).click();
      await status(page, 'We sent a new link to your address.');
      const verify = await waitForLink(server.smtp, email, LINKS.EMAIL_VERIFICATION_URL, { count: 2 });
      await page.goto(landing(LINKS.EMAIL_VERIFICATION_URL, verify.token));
      await page.getByRole('heading', { name: 'Verify your email address' }).waitFor();
      expect(page.url()).toBe(`${server.url}/account`);
      await page.getByRole('button', { name: 'Verify my address' }).click();
      // Back in the account (the refresh cookie), the banner gone.
      await status(page, 'Your email address is verified.');
      await page.locator('#verify-banner[hidden]').waitFor({ state: 'attached' });

      // A change of address: the request, then the link sent to the new address.
      const newEmail = uniqueEmail('moved');
      await page.getByRole('button', { name: 'Email & account' }).click();
      await panel(page).getByLabel('New email address').fill(newEmail);
      await panel(page).locator('#email-current-password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Change email address' }).click();
      await status(page, 'We sent a link to the new address: the change is made when it is followed.');
      const change = await waitForLink(server.smtp, newEmail, LINKS.EMAIL_CHANGE_URL);
      await page.goto(landing(LINKS.EMAIL_CHANGE_URL, change.token));
      await page.getByRole('button', { name: 'Confirm the new address' }).click();
      await status(page, 'Your email address was changed.');
      await page.locator('#viewer-email').filter({ hasText: newEmail }).waitFor();
      await expect(page.locator('#viewer-email').textContent()).resolves.toBe(newEmail);

      // Deleting takes two steps, and the first can be undone.
      await page.getByRole('button', { name: 'Email & account' }).click();
      await page.getByRole('button', { name: 'Delete my account…' }).click();
      await page.getByRole('button', { name: 'Keep my account' }).click();
      await page.locator('#delete-account-form[hidden]').waitFor({ state: 'attached' });
      await page.getByRole('button', { name: 'Delete my account…' }).click();
      await panel(page).locator('#delete-current-password').fill('Wrong-Password-1');
      await page.getByRole('button', { name: 'Delete my account for good' }).click();
      await panel(page).getByRole('alert').getByText('Current password is incorrect.').waitFor();
      await panel(page).locator('#delete-current-password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Delete my account for good' }).click();
      await status(page, 'Your account was deleted.');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect((await signIn(server.graphqlUrl, newEmail, PASSWORD)).__typename).toBe('InvalidCredentialsError');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
