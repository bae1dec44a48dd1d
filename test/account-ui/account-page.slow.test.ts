import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeInBrowser, launchChromium } from '../support/chromium.ts';
import { loadConfig } from '../../src/config/config.ts';
import { ACCOUNT_PAGE_CSP } from '../../src/http/account-page-route.ts';
import { PASSWORD, changePassword, signIn, signUp, uniqueEmail } from '../support/accounts.ts';
import { startTestServer as startServer, TEST_SECRET, type TestServer } from '../support/server.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { waitUntil } from '../support/wait-until.ts';
import { emailLink, mailsTo } from '../support/email-links.ts';
import { expectType } from '../support/graphql.ts';
import { sessionClient } from '../support/sessions.ts';
import { startRangeServer, sha1Upper, type RangeServer } from '../support/range-server.ts';

// The /account page (docs/account-page.md): its HTTP surface over plain fetch, then the page itself
// end to end in Debian's Chromium, driven by playwright-core (which never downloads a browser).

// account-page-trusted-documents.slow.test.ts runs this whole file again with these variables (TRUSTED_DOCUMENTS)
// added to every server it starts.
const serverEnv = JSON.parse(process.env['ACCOUNT_PAGE_SERVER_ENV'] ?? '{}') as Record<string, string>;
const startTestServer: typeof startServer = (overrides = {}, options) => startServer({ ...overrides, ...serverEnv }, options);

// Skipped only on a developer machine without the browser; in CI a missing browser fails the launch.
const inBrowser = describeInBrowser();

const WEAK_PASSWORD_MESSAGES = [
  'Password must be at least 8 characters',
  'Password must contain at least one uppercase letter',
  'Password must contain at least one number',
  'Password must contain at least one special character',
];

let server: TestServer;
/** Launched by the first browser test block that runs, closed after the file. */
let browser: Browser | undefined;
beforeAll(async () => {
  // A trusted proxy header gives each browser context a client address of its own, so the per-address
  // limits of one test never meet another's; the per-account change-password limit is 3 per minute.
  server = await startTestServer({ TRUST_PROXY: '1', CHANGE_PASSWORD_RATE_LIMIT: '3' }, { useRedis: true });
});
afterAll(async () => {
  await browser?.close();
  await server.close();
});

describe('the /account page over HTTP', () => {
  it('is served with a strict Content-Security-Policy and no-referrer', async () => {
    const response = await fetch(`${server.url}/account`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    // The address may hold a reset token: never stored by a cache.
    expect(response.headers.get('cache-control')).toBe('no-store');
    const directives = Object.fromEntries(
      (response.headers.get('content-security-policy') ?? '').split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': "'self'",
      'style-src': "'self'",
      'connect-src': "'self'",
      'img-src': "'self'",
      'form-action': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
    });
  });

  it('holds no inline script or style, and nothing from another origin', async () => {
    const html = await (await fetch(`${server.url}/account`)).text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).not.toMatch(/(?:src|href)="(?:https?:)?\/\//i);
  });

  it('serves its scripts and styles with their types, the same headers, and revalidation by ETag', async () => {
    for (const [path, type] of [
      ['/account/account.js', 'text/javascript; charset=utf-8'],
      ['/account/api.js', 'text/javascript; charset=utf-8'],
      ['/account/account.css', 'text/css; charset=utf-8'],
      ['/account/icon.svg', 'image/svg+xml'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([path, 200, type]);
      expect(response.headers.get('content-security-policy')).toBe(ACCOUNT_PAGE_CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const etag = response.headers.get('etag');
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await fetch(`${server.url}${path}`, { headers: { 'if-none-match': etag! } });
      expect(again.status).toBe(304);
    }
  });

  it('answers 404 for any other file and 405 for anything but GET and HEAD', async () => {
    for (const path of ['/account/missing.js', '/account/../src/config.ts', '/account/%2e%2e/config.ts', '/account/account.js/x']) {
      const response = await fetch(`${server.url}${path}`);
      expect([path, response.status]).toEqual([path, 404]);
    }
    const post = await fetch(`${server.url}/account`, { method: 'POST', body: 'email=a&password=b' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const head = await fetch(`${server.url}/account`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('is on by default outside production and only with ACCOUNT_UI=true in production', async () => {
    expect(loadConfig({}).accountUi).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: TEST_SECRET }).accountUi).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: TEST_SECRET, ACCOUNT_UI: 'true' }).accountUi).toBe(true);
    expect(() => loadConfig({ ACCOUNT_UI: 'sometimes' })).toThrow(/ACCOUNT_UI/);
    const off = await startTestServer({ ACCOUNT_UI: 'false' });
    try {
      expect((await fetch(`${off.url}/account`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

// ---- in the browser

let nextAddress = 0;

/** A browser profile of its own, behind the trusted proxy with a client address of its own. */
async function newContext(): Promise<BrowserContext> {
  nextAddress += 1;
  if (!browser) throw new Error('Chromium is not running');
  const context = await browser.newContext({
    extraHTTPHeaders: { 'x-forwarded-for': `198.51.100.${nextAddress}` },
    viewport: { width: 900, height: 1000 },
    reducedMotion: 'reduce',
  });
  // A step that never comes fails with the locator it waited for, before the test's own timeout.
  context.setDefaultTimeout(10_000);
  return context;
}

interface OpenPage {
  page: Page;
  /** Every URL the page asked for, scripts and fetches included. */
  requests: string[];
  /** What Chromium reported about the Content-Security-Policy (refused scripts, styles, connections). */
  cspViolations: string[];
}

async function openAccountPage(context: BrowserContext, path = '/account'): Promise<OpenPage> {
  const page = await context.newPage();
  const requests: string[] = [];
  const cspViolations: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => cspViolations.push(`page error: ${error.message}`));
  await page.goto(`${server.url}${path}`);
  return { page, requests, cspViolations };
}

/** The one panel on screen (the others are `hidden`, which also hides them from assistive technology). */
const panel = (page: Page) => page.locator('section[data-panel]:not([hidden])');

async function signUpInPage(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByRole('button', { name: 'Create an account' }).click();
  await panel(page).getByLabel('Email').fill(email);
  await panel(page).getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Change your password' }).waitFor();
}

async function signInInPage(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await panel(page).getByLabel('Email').fill(email);
  await panel(page).getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Change your password' }).waitFor();
}

const changePasswordForm = (page: Page) => page.locator('#change-password-form');

/** The activity panel's entries once its list has loaded (`aria-busy` while the page asks, as for sessions). */
async function eventCards(page: Page): Promise<{ title: string; time: string; details: string }[]> {
  await page.locator('#events-list:not([aria-busy])').waitFor({ state: 'attached' });
  return page.locator('#events-list > li').evaluateAll((items) =>
    items.map((item) => ({
      title: item.querySelector('.card-title')?.textContent ?? '',
      time: item.querySelector('time')?.dateTime ?? '',
      details: item.querySelector('.card-details')?.textContent ?? '',
    })),
  );
}

/**
 * The sessions panel's cards once its list has loaded (the page marks the list `aria-busy` while it
 * asks the server, from the click that opened the panel until the answer is on screen).
 */
async function sessionCards(page: Page): Promise<{ current: boolean; title: string; text: string }[]> {
  await page.locator('#sessions-list:not([aria-busy])').waitFor({ state: 'attached' });
  return page.locator('#sessions-list > li').evaluateAll((items) =>
    items.map((item) => ({
      current: item.classList.contains('current'),
      title: item.querySelector('.card-title')?.textContent ?? '',
      text: item.textContent ?? '',
    })),
  );
}

const SAFARI_ON_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

inBrowser('the /account page in Chromium', () => {
  beforeAll(async () => {
    browser ??= await launchChromium();
  });

  it('signs up, lists every violation of a weak password, changes to a good one and stays signed in', async () => {
    const context = await newContext();
    try {
      const { page, cspViolations } = await openAccountPage(context);
      const email = uniqueEmail('page');
      await signUpInPage(page, email, PASSWORD);
      await expect(page.locator('#viewer-email').textContent()).resolves.toBe(email);

      // The policy is on screen before anything is submitted.
      await page.locator('#change-password-policy li').first().waitFor();
      const policy = await page.locator('#change-password-policy li').allTextContents();
      expect(policy).toEqual(
        expect.arrayContaining(['At least 8 characters', 'An uppercase letter', 'A lowercase letter', 'A number', 'Not a commonly used password']),
      );

      const form = changePasswordForm(page);
      await form.getByLabel('Current password').fill(PASSWORD);
      await form.getByLabel('New password').fill('abc');
      await form.getByRole('button', { name: 'Change password' }).click();
      const alert = form.getByRole('alert');
      await alert.getByText('This password does not meet the rules:').waitFor();
      expect(await alert.locator('li').allTextContents()).toEqual(WEAK_PASSWORD_MESSAGES);
      await expect(form.getByLabel('New password').getAttribute('aria-invalid')).resolves.toBe('true');
      if (process.env.ACCOUNT_PAGE_SCREENSHOT) {
        mkdirSync(dirname(process.env.ACCOUNT_PAGE_SCREENSHOT), { recursive: true });
        await page.screenshot({ path: process.env.ACCOUNT_PAGE_SCREENSHOT, fullPage: true });
      }

      await form.getByLabel('Current password').fill(PASSWORD);
      await form.getByLabel('New password').fill('Brand-New-Secret-42');
      await form.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('status').getByText('Password changed successfully.').waitFor();
      // Still signed in: the page read the account back with the renewed token.
      await expect(page.locator('#password-changed-at').textContent()).resolves.toMatch(/^Password last changed /);
      await expect(page.locator('#viewer-email').textContent()).resolves.toBe(email);
      await expect(form.locator('[data-error]').textContent()).resolves.toBe('');

      // The server agrees: the new password signs in, the old one no longer does.
      expect((await signIn(server.graphqlUrl, email, 'Brand-New-Secret-42')).__typename).toBe('AuthPayload');
      expect((await signIn(server.graphqlUrl, email, PASSWORD)).__typename).toBe('InvalidCredentialsError');
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('counts down the wait of a RateLimitedError and keeps the form closed meanwhile', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail('limited'));
    // Spend the account's 3 attempts of this minute elsewhere (another device of the same account).
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const result = await changePassword(server.graphqlUrl, account.token, { currentPassword: 'Wrong-Pass-123', newPassword: 'Brand-New-Pass-7' });
      expect(result.__typename).toBe('IncorrectPasswordError');
    }
    const context = await newContext();
    try {
      const { page } = await openAccountPage(context);
      await signInInPage(page, account.email, PASSWORD);
      const form = changePasswordForm(page);
      await form.getByLabel('Current password').fill(PASSWORD);
      await form.getByLabel('New password').fill('Brand-New-Secret-42');
      await form.getByRole('button', { name: 'Change password' }).click();

      await form.getByRole('alert').getByText('Too many attempts. Please wait before trying again.').waitFor();
      const countdown = form.locator('[data-countdown]');
      const secondsLeft = async () => Number(/in (\d+) seconds?/.exec((await countdown.textContent()) ?? '')?.[1]);
      const first = await secondsLeft();
      expect(first).toBeGreaterThan(1);
      expect(first).toBeLessThanOrEqual(60);
      await expect(form.getByRole('button', { name: 'Change password' }).isDisabled()).resolves.toBe(true);
      // It is live: the number goes down while we watch.
      await page.waitForFunction(
        (before) => Number(/in (\d+) second/.exec(document.querySelector('#change-password-form [data-countdown]')?.textContent ?? '')?.[1]) < before,
        first,
      );
    } finally {
      await context.close();
    }
  });

  it('loads nothing from outside the server and runs under its own CSP without a violation', async () => {
    const context = await newContext();
    try {
      const { page, requests, cspViolations } = await openAccountPage(context);
      const response = await page.goto(`${server.url}/account`);
      expect(response?.headers()['content-security-policy']).toBe(ACCOUNT_PAGE_CSP);
      await signUpInPage(page, uniqueEmail('origin'), PASSWORD);
      for (const panel of ['Sessions', 'Recent activity', 'Password']) {
        await page.getByRole('navigation', { name: 'Account' }).getByRole('button', { name: panel }).click();
        await page.locator('[data-panel]:not([hidden]) h1').waitFor();
      }
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();

      const origin = new URL(server.url).origin;
      expect(requests.length).toBeGreaterThan(5);
      expect(requests.filter((url) => new URL(url).origin !== origin)).toEqual([]);
      const paths = new Set(requests.map((url) => new URL(url).pathname));
      expect([...paths].sort()).toEqual(
        [
          '/account',
          '/account/account.css',
          '/account/account.js',
          '/account/api.js',
          '/account/documents.js',
          '/account/icon.svg',
          '/account/two-step.js',
          '/account/wording.js',
          '/graphql',
        ].sort(),
      );
      expect(cspViolations).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('reads the token of a reset or "This wasn\'t me" link once, removes it from the address bar and never sends it on', async () => {
    const context = await newContext();
    try {
      for (const [path, heading] of [
        ['/account#reset=link-token-1', 'Choose a new password'],
        ['/account?secure=link-token-2', "This wasn't me"],
      ] as const) {
        const page = await context.newPage();
        // What each request after the page itself carried: its address and Referer.
        const sent: Promise<string>[] = [];
        page.on('request', (request) => {
          if (request.isNavigationRequest()) return;
          sent.push(request.allHeaders().then((headers) => `${request.url()} referer=${headers.referer ?? ''}`));
        });
        await page.goto(`${server.url}${path}`);
        await page.getByRole('heading', { name: heading }).waitFor();
        await page.waitForLoadState('networkidle');
        expect(page.url()).toBe(`${server.url}/account`);
        const requests = await Promise.all(sent);
        expect(requests.length).toBeGreaterThan(3);
        expect(requests.filter((request) => request.includes('link-token'))).toEqual([]);
        // The entry was replaced, not pushed: going back leaves the page instead of finding the token.
        await page.goBack();
        expect(page.url()).toBe('about:blank');
        await page.close();
      }

      // A link pasted into the page's own tab changes only the fragment: the page takes it all the same.
      const { page } = await openAccountPage(context);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.evaluate(() => {
        location.hash = 'reset=link-token-3';
      });
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      expect(page.url()).toBe(`${server.url}/account`);
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('reset-title');
    } finally {
      await context.close();
    }
  });

  it('signs in with the keyboard alone and moves focus to the account panel', async () => {
    const account = await signUp(server.graphqlUrl, uniqueEmail('keyboard'));
    const context = await newContext();
    try {
      const { page } = await openAccountPage(context);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
      let presses = 0;
      while ((await focusedId()) !== 'sign-in-email' && presses < 5) {
        await page.keyboard.press('Tab');
        presses += 1;
      }
      expect(await focusedId()).toBe('sign-in-email');
      // Keyboard focus is visible.
      expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
      await page.keyboard.type(account.email);
      await page.keyboard.press('Tab');
      expect(await focusedId()).toBe('sign-in-password');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Change your password' }).waitFor();
      expect(await focusedId()).toBe('password-title');
      await page.getByRole('status').getByText(`Signed in as ${account.email}.`).waitFor();
    } finally {
      await context.close();
    }
  });
});

// ---- cookie mode: sessions, security events, reset and "This wasn't me" links

const smtp = new SmtpSink();

const RESET_URL = 'http://rekey.test/account#reset={token}';
const SECURE_URL = 'http://rekey.test/account#secure={token}';

/** The `urlTemplate` link (RESET_URL or SECURE_URL) of the newest email to `to` that has one, once the outbox delivered it. */
async function nextMailLink(to: string, urlTemplate: string): Promise<URL> {
  const newest = () => {
    for (const mail of mailsTo(smtp, to).reverse()) {
      try {
        return new URL(emailLink(mail, urlTemplate).link);
      } catch {
        // another kind of email: look further back
      }
    }
    return null;
  };
  return waitUntil(async () => newest(), `an email to ${to} with a ${urlTemplate} link has arrived`, { timeoutMs: 10_000 });
}

/** Meets every composition rule, so a breach corpus hit is its only violation. */
const BREACHED_PASSWORD = 'Leaked-Passw0rd-2019!';

inBrowser('the /account page in cookie mode', () => {
  let cookieServer: TestServer;
  let range: RangeServer;
  beforeAll(async () => {
    browser ??= await launchChromium();
    await smtp.start();
    range = await startRangeServer(new Map([[sha1Upper(BREACHED_PASSWORD), 42]]));
    cookieServer = await startTestServer(
      {
        TRUST_PROXY: '1',
        SESSION_COOKIE: 'true',
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Rekey <no-reply@example.com>',
        PASSWORD_RESET_URL: RESET_URL,
        ACCOUNT_SECURE_URL: SECURE_URL,
        OUTBOX_POLL_INTERVAL: '50ms',
        PASSWORD_HISTORY: '3',
        BREACHED_PASSWORDS: range.base,
      },
      { useRedis: true },
    );
  });
  afterAll(async () => {
    await cookieServer?.close();
    await smtp.stop();
    await range?.close();
  });

  const open = async (context: BrowserContext, path = '/account') => {
    const page = await context.newPage();
    await page.goto(`${cookieServer.url}${path}`);
    return page;
  };

  it("signs out a second browser's session when the password changes, and the sessions list updates", async () => {
    const email = uniqueEmail('two-devices');
    const laptop = await newContext();
    const phone = await newContext();
    try {
      const first = await open(laptop);
      await signUpInPage(first, email, PASSWORD);
      const second = await open(phone);
      await signInInPage(second, email, PASSWORD);

      await first.getByRole('button', { name: 'Sessions' }).click();
      const before = await sessionCards(first);
      expect(before.map((card) => card.current)).toEqual([false, true]);
      expect(before.filter((card) => card.current)[0]?.text).toContain('This device');

      await first.getByRole('button', { name: 'Password' }).click();
      await changePasswordForm(first).getByLabel('Current password').fill(PASSWORD);
      await changePasswordForm(first).getByLabel('New password').fill('Brand-New-Secret-42');
      await changePasswordForm(first).getByRole('button', { name: 'Change password' }).click();
      await first.getByRole('status').getByText('Password changed successfully.').waitFor();

      // The phone's access token and its refresh cookie were both revoked: its next call finds out.
      await second.getByRole('button', { name: 'Sessions' }).click();
      await second.getByRole('heading', { name: 'Sign in' }).waitFor();
      await second.getByRole('status').getByText('Your session has ended. Please sign in again.').waitFor();
      // And stays signed out across a reload (the cookie cannot resume it).
      await second.reload();
      await second.getByRole('heading', { name: 'Sign in' }).waitFor();

      // The laptop is still signed in (renewed session) and lists itself only.
      await first.getByRole('button', { name: 'Sessions' }).click();
      expect((await sessionCards(first)).map((card) => card.current)).toEqual([true]);
      await first.reload();
      await first.getByRole('heading', { name: 'Change your password' }).waitFor();
    } finally {
      await laptop.close();
      await phone.close();
    }
  });

  it('revokes one other session, then signs out everywhere', async () => {
    const email = uniqueEmail('revoke');
    const laptop = await newContext();
    const sessions = sessionClient(cookieServer.graphqlUrl);
    try {
      const page = await open(laptop);
      await signUpInPage(page, email, PASSWORD);
      const tablet = expectType(await signIn(cookieServer.graphqlUrl, email, PASSWORD, { headers: { 'user-agent': FIREFOX_ON_WINDOWS } }), 'AuthPayload');
      const phone = expectType(await signIn(cookieServer.graphqlUrl, email, PASSWORD, { headers: { 'user-agent': SAFARI_ON_IPHONE } }), 'AuthPayload');
      await page.getByRole('button', { name: 'Sessions' }).click();
      const cards = await sessionCards(page);
      expect(cards.map((card) => card.current)).toEqual([false, false, true]);
      // Named for people, with the whole user agent underneath.
      expect(cards.map((card) => card.title)).toEqual(['Safari on iPhone', 'Firefox on Windows', 'Chrome on Linux This device']);
      expect(cards[0]?.text).toContain(SAFARI_ON_IPHONE);

      // The most recently active other device is first: the phone.
      const revoke = page.locator('#sessions-list > li:not(.current)').first().getByRole('button', { name: /^Sign out / });
      await revoke.focus();
      await page.keyboard.press('Enter');
      await page.getByRole('status').getByText('That device is signed out.').waitFor();
      expect((await sessionCards(page)).map((card) => card.current)).toEqual([false, true]);
      // Focus stays in the panel although the button left with its row.
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('sessions-title');
      expect(await sessions.me(phone.token)).toBeNull();
      expect(await sessions.me(tablet.token)).toMatchObject({ email });

      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByRole('status').getByText('You are signed out on every device (2 sessions).').waitFor();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await sessions.me(tablet.token)).toBeNull();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    } finally {
      await laptop.close();
    }
  });

  it('resumes the session after a reload from the refresh cookie, never from storage', async () => {
    const context = await newContext();
    try {
      const page = await open(context);
      const email = uniqueEmail('reload');
      await signUpInPage(page, email, PASSWORD);
      await page.reload();
      await page.getByRole('heading', { name: 'Change your password' }).waitFor();
      await expect(page.locator('#viewer-email').textContent()).resolves.toBe(email);
      // The only cookies are the server's HttpOnly ones, the refresh token scoped to /graphql.
      const cookies = await context.cookies();
      expect(cookies.filter((cookie) => !cookie.httpOnly || cookie.sameSite !== 'Strict')).toEqual([]);
      expect(cookies.find((cookie) => cookie.name === 'rekey_refresh')?.path).toBe('/graphql');
      expect(await page.evaluate(() => [localStorage.length, sessionStorage.length, document.cookie])).toEqual([0, 0, '']);

      // Without the cookie there is nothing to resume from.
      await context.clearCookies();
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('lists recent security events newest first, with where they came from, and pages back to older ones', async () => {
    const account = await signUp(cookieServer.graphqlUrl, uniqueEmail('events'));
    // 21 failed sign-ins from elsewhere, so the page's first screen (20 entries) cannot hold them all.
    for (let attempt = 0; attempt < 21; attempt += 1) {
      const result = await signIn(cookieServer.graphqlUrl, account.email, 'Wrong-Pass-123', { headers: { 'x-forwarded-for': '203.0.113.9' } });
      expect(result.__typename).toBe('InvalidCredentialsError');
    }
    const context = await newContext();
    try {
      const page = await open(context);
      await signInInPage(page, account.email, PASSWORD);
      await page.getByRole('button', { name: 'Recent activity' }).click();
      const first = await eventCards(page);
      expect(first.map((event) => event.title)).toEqual(['Signed in', ...Array(19).fill('Failed sign-in attempt')]);
      expect(first[0]?.details).toContain(`from 198.51.100.${nextAddress}`);
      expect(first[1]?.details).toContain('from 203.0.113.9');
      const times = first.map((event) => Date.parse(event.time));
      expect(times).toEqual([...times].sort((a, b) => b - a));

      await page.getByRole('button', { name: 'Show older activity' }).click();
      await page.getByRole('status').getByText('3 older entries shown.').waitFor();
      const all = await eventCards(page);
      expect(all.map((event) => event.title).slice(20)).toEqual(['Failed sign-in attempt', 'Failed sign-in attempt', 'Account created']);
      await expect(page.getByRole('button', { name: 'Show older activity' }).isHidden()).resolves.toBe(true);
      // Keyboard focus went on to the first older entry rather than being lost with the hidden button.
      expect(await page.evaluate(() => document.activeElement?.closest('#events-list > li') === document.querySelectorAll('#events-list > li')[20])).toBe(true);

      // Opening the panel again starts from the newest: this visit's events are on top.
      await page.getByRole('button', { name: 'Password' }).click();
      await changePasswordForm(page).getByLabel('Current password').fill(PASSWORD);
      await changePasswordForm(page).getByLabel('New password').fill('Brand-New-Secret-42');
      await changePasswordForm(page).getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('status').getByText('Password changed successfully.').waitFor();
      await page.getByRole('button', { name: 'Recent activity' }).click();
      const after = await eventCards(page);
      // The change signed out the account's other session (the API's sign-up) in the same transaction.
      const titles = after.map((event) => event.title);
      expect([...titles.slice(0, 2)].sort()).toEqual(['A device was signed out', 'Password changed']);
      expect(titles[2]).toBe('Signed in');
      expect(after).toHaveLength(20);
    } finally {
      await context.close();
    }
  });

  it('shows the history and breach rules before submitting, and explains each refusal', async () => {
    const context = await newContext();
    try {
      const page = await open(context);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByRole('button', { name: 'Create an account' }).click();
      // A new account has no earlier password to reuse: that rule is for changes and resets only.
      await page.locator('#sign-up-policy li').first().waitFor();
      const signUpRules = await page.locator('#sign-up-policy li').allTextContents();
      expect(signUpRules).toContain('Not found in a known data breach (checked without sending your password)');
      expect(signUpRules.filter((rule) => /last \d+ passwords|current password/.test(rule))).toEqual([]);
      await page.getByRole('button', { name: 'I already have an account' }).click();
      await signUpInPage(page, uniqueEmail('policy'), PASSWORD);
      const policy = await page.locator('#change-password-policy li').allTextContents();
      expect(policy.slice(-2)).toEqual(['Not found in a known data breach (checked without sending your password)', 'Not one of your last 3 passwords']);
      expect(await page.locator('#reset-policy li').allTextContents()).toEqual(policy);

      const form = changePasswordForm(page);
      const submit = async (currentPassword: string, newPassword: string) => {
        await form.getByLabel('Current password').fill(currentPassword);
        await form.getByLabel('New password').fill(newPassword);
        await form.getByRole('button', { name: 'Change password' }).click();
      };
      await submit(PASSWORD, BREACHED_PASSWORD);
      await form.getByRole('alert').getByText('This password does not meet the rules:').waitFor();
      expect(await form.getByRole('alert').locator('li').allTextContents()).toEqual(['Password has appeared in a data breach']);

      await submit(PASSWORD, 'Brand-New-Secret-42');
      await page.getByRole('status').getByText('Password changed successfully.').waitFor();
      await submit('Brand-New-Secret-42', PASSWORD);
      await form.getByRole('alert').getByText('New password must not be one of your last 3 passwords.').waitFor();
      await expect(form.getByLabel('New password').getAttribute('aria-invalid')).resolves.toBe('true');
      // Only hash prefixes went to the range API.
      expect(range.requests.map((request) => request.url)).not.toContainEqual(expect.stringContaining(sha1Upper(BREACHED_PASSWORD).slice(5)));
    } finally {
      await context.close();
    }
  });

  it('resets a password through the emailed link, and removes the token from the address bar', async () => {
    const account = await signUp(cookieServer.graphqlUrl, uniqueEmail('reset'));
    const context = await newContext();
    try {
      const page = await open(context);
      await page.getByRole('button', { name: 'Forgot your password?' }).click();
      await panel(page).getByLabel('Email').fill(account.email);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      await page.getByRole('status').getByText('If an account exists for that email, we sent a link to reset its password.').waitFor();

      const link = await nextMailLink(account.email, RESET_URL);
      await page.goto(`${cookieServer.url}/account${link.hash}`);
      await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      expect(page.url()).toBe(`${cookieServer.url}/account`);
      const form = page.locator('#reset-form');
      const submit = async (password: string) => {
        await form.getByLabel('New password').fill(password);
        await form.getByRole('button', { name: 'Set new password' }).click();
      };
      await submit('abc');
      await form.getByRole('alert').getByText('This password does not meet the rules:').waitFor();
      expect(await form.getByRole('alert').locator('li').allTextContents()).toEqual(WEAK_PASSWORD_MESSAGES);
      await submit(PASSWORD);
      await form.getByRole('alert').getByText('New password must be different from current password.').waitFor();

      await submit('Brand-New-Secret-42');
      await page.getByRole('status').getByText('Your password has been reset. Sign in with your new password.').waitFor();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // Every session ended, the one of the sign-up too.
      expect(await sessionClient(cookieServer.graphqlUrl).me(account.token)).toBeNull();
      await signInInPage(page, account.email, 'Brand-New-Secret-42');

      // The link was single use.
      const again = await context.newPage();
      await again.goto(`${cookieServer.url}/account${link.hash}`);
      await again.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await again.locator('#reset-form').getByLabel('New password').fill('Another-Secret-43');
      await again.getByRole('button', { name: 'Set new password' }).click();
      await again.locator('#reset-form').getByRole('alert').getByText('This password reset link is invalid or has expired.').waitFor();
    } finally {
      await context.close();
    }
  });

  it("secures the account from the \"This wasn't me\" link, then recovers it with the reset link that follows", async () => {
    const account = await signUp(cookieServer.graphqlUrl, uniqueEmail('secure'));
    const laptop = await newContext();
    const mailbox = await newContext();
    try {
      // The owner is signed in on a laptop when someone else changes the password.
      const owner = await open(laptop);
      await signInInPage(owner, account.email, PASSWORD);
      const changed = await changePassword(cookieServer.graphqlUrl, account.token, {
        currentPassword: PASSWORD,
        newPassword: 'Thief-Chosen-Secret-7',
        revokeOtherSessions: false,
      });
      const thief = expectType(changed, 'ChangePasswordSuccess');

      const link = await nextMailLink(account.email, SECURE_URL);
      const page = await open(mailbox, `/account${link.hash}`);
      await page.getByRole('heading', { name: "This wasn't me" }).waitFor();
      expect(page.url()).toBe(`${cookieServer.url}/account`);
      await page.getByRole('button', { name: 'Secure my account' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByRole('status').getByText(/^Your account is secured: every device was signed out/).waitFor();

      // Every session is over (the thief's and the owner's) and the thief's password no longer works.
      expect(await sessionClient(cookieServer.graphqlUrl).me(thief.token)).toBeNull();
      await owner.reload();
      await owner.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect((await signIn(cookieServer.graphqlUrl, account.email, 'Thief-Chosen-Secret-7')).__typename).toBe('InvalidCredentialsError');

      // The fresh reset link it emailed gives the account back to its owner.
      const reset = await nextMailLink(account.email, RESET_URL);
      await owner.goto(`${cookieServer.url}/account${reset.hash}`);
      await owner.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await owner.locator('#reset-form').getByLabel('New password').fill('Owner-Again-Secret-8');
      await owner.getByRole('button', { name: 'Set new password' }).click();
      await owner.getByRole('status').getByText('Your password has been reset. Sign in with your new password.').waitFor();
      await signInInPage(owner, account.email, 'Owner-Again-Secret-8');
    } finally {
      await laptop.close();
      await mailbox.close();
    }
  });
});

inBrowser('the /account page keeps its device token (body mode)', () => {
  beforeAll(async () => {
    browser ??= await launchChromium();
  });

  it("signs the owner in from this browser while strangers keep the account blocked", async () => {
    const context = await newContext();
    try {
      const { page } = await openAccountPage(context);
      const email = uniqueEmail('kept-device');
      await signUpInPage(page, email, PASSWORD);
      // Without cookie sessions the token is kept in this browser's storage, under the account's email.
      expect(await page.evaluate((key) => localStorage.getItem(key), `rekey.device:${email}`)).toMatch(/^d1\./);

      // A stranger's wrong guesses (LOCKOUT_THRESHOLD, 100 by default) block the account.
      for (let attempt = 0; attempt < 100; attempt += 1) await signIn(server.graphqlUrl, email, `Wrong-Guess-${attempt}`);
      expect((await signIn(server.graphqlUrl, email, PASSWORD)).__typename).toBe('RateLimitedError');

      // Signed out in this browser (which keeps the session across reloads otherwise), the device token kept.
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      const { page: later } = await openAccountPage(context);
      await signInInPage(later, email, PASSWORD);
      await expect(later.locator('#viewer-email').textContent()).resolves.toBe(email);
    } finally {
      await context.close();
    }
  });
});
