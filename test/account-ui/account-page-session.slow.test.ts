import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORD, signIn, uniqueEmail } from '../support/accounts.ts';
import { describeInBrowser, launchChromium } from '../support/chromium.ts';
import { expectType, run } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { SignOutDocument } from '../generated/graphql.ts';

const TTL_MS = 6_000;

// The /account page's session in the server's default configuration (body mode: the refresh token
// comes in the answer's body), with the client kit's refresh rules (docs/client.md): it survives a
// reload, two tabs refresh once between them, and an ended session signs the page out without a loop.

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  // Long enough that the one refreshed token cannot itself fall due (a quarter of its life early)
  // while a loaded machine finishes the test's own requests; short enough to wait out.
  server = await startTestServer({ JWT_TTL: `${TTL_MS / 1000}s` });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function browserProfile(): Promise<{ context: BrowserContext; refreshes: () => number }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  let count = 0;
  context.on('request', (request) => {
    if (request.method() === 'POST' && /\brefreshSession\b/.test(request.postData() ?? '')) count += 1;
  });
  return { context, refreshes: () => count };
}

const panel = (page: Page) => page.locator('section[data-panel]:not([hidden])');
const signedInAs = async (page: Page, email: string) => {
  await page.getByRole('heading', { name: 'Change your password' }).waitFor();
  await page.locator('#viewer-email').filter({ hasText: email }).waitFor();
  await expect(page.locator('#viewer-email').textContent()).resolves.toBe(email);
};

async function openAccount(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/account`);
  return page;
}

async function signUpInPage(page: Page, email: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('button', { name: 'Create an account' }).click();
  await panel(page).getByLabel('Email').fill(email);
  await panel(page).getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await signedInAs(page, email);
}

/** The page's own `me()` (the module the page loaded), as its panels call it. */
const pageMe = (page: Page) =>
  page.evaluate(async () => {
    const api = await import('/account/api.js' as string);
    return ((await api.me()) as { email: string } | null)?.email ?? null;
  });

describeInBrowser()('the /account page in the default (body) mode', () => {
  it('stays signed in across a reload, also after the access token expired', async () => {
    const { context } = await browserProfile();
    try {
      const page = await openAccount(context);
      const email = uniqueEmail('reload');
      await signUpInPage(page, email);
      await page.reload();
      await signedInAs(page, email);
      await page.waitForTimeout(TTL_MS + 100);
      await page.reload();
      await signedInAs(page, email);
    } finally {
      await context.close();
    }
  });

  it('refreshes once between two tabs when the token expires, and both keep working', async () => {
    const { context, refreshes } = await browserProfile();
    try {
      const first = await openAccount(context);
      const email = uniqueEmail('tabs');
      await signUpInPage(first, email);
      const second = await openAccount(context);
      await signedInAs(second, email);
      const before = refreshes();
      await first.waitForTimeout(TTL_MS + 100);
      await expect(Promise.all([pageMe(first), pageMe(second)])).resolves.toEqual([email, email]);
      expect(refreshes() - before).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('signs out once, without a refresh loop, when the session was revoked elsewhere', async () => {
    const { context, refreshes } = await browserProfile();
    try {
      const page = await openAccount(context);
      const email = uniqueEmail('revoked');
      await signUpInPage(page, email);
      const elsewhere = expectType(await signIn(server.graphqlUrl, email, PASSWORD), 'AuthPayload');
      const { signOut } = await run(server.graphqlUrl, SignOutDocument, { input: { everywhere: true } }, { token: elsewhere.token });
      expect(signOut.__typename).toBe('SignOutSuccess');
      const before = refreshes();
      await expect(pageMe(page)).resolves.toBeNull();
      await expect(pageMe(page)).resolves.toBeNull();
      expect(refreshes() - before).toBe(1);
      expect(await page.evaluate(() => localStorage.getItem('rekey.session'))).toBeNull();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
