import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORD, uniqueEmail } from '../support/accounts.ts';
import { describeInBrowser, launchChromium } from '../support/chromium.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const TTL_MS = 6_000;

// The kit as a browser app would use it (docs/client.md, cookie mode): the built package served
// from the server's origin, two tabs of one page sharing one session.

const root = new URL('../../', import.meta.url);
const PAGE = `<!doctype html><meta charset="utf-8"><title>kit</title>
<script type="importmap">{ "imports": { "graphql": "/kit/node_modules/graphql/index.mjs" } }</script>
<script type="module">
  import { RekeySession, browserTokenStore, createRekeyFetch, MeDocument, SignUpDocument } from '/kit/client/dist/index.js';
  const session = new RekeySession({ url: '/graphql', store: browserTokenStore(), cookies: true });
  const request = createRekeyFetch(session);
  window.kit = {
    session,
    ready: session.resume(),
    signUp: async (email, password) => (await request(SignUpDocument, { input: { email, password } })).data.signUp.__typename,
    me: async () => (await request(MeDocument)).data.me?.email ?? null,
  };
</script>`;

type KitWindow = { kit: { ready: Promise<string>; session: { state: string }; signUp(e: string, p: string): Promise<string>; me(): Promise<string | null> } };

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  await promisify(execFile)(process.execPath, [fileURLToPath(new URL('node_modules/typescript/bin/tsc', root)), '-p', fileURLToPath(new URL('client', root))]);
  // Long enough that the one refreshed token cannot itself fall due while a loaded machine finishes the test.
  server = await startTestServer({ SESSION_COOKIE: 'true', JWT_TTL: `${TTL_MS / 1000}s` });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A profile whose /kit/ paths are the repository's files (the built kit and graphql's ESM build). */
async function kitContext(): Promise<{ context: BrowserContext; refreshes: () => number }> {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  await context.route(`${server.url}/kit/**`, async (route) => {
    const path = new URL(route.request().url()).pathname.slice('/kit/'.length);
    if (path === 'page.html') return route.fulfill({ contentType: 'text/html', body: PAGE });
    const body = await readFile(new URL(path, root));
    return route.fulfill({ contentType: 'text/javascript', body });
  });
  let count = 0;
  context.on('request', (request) => {
    if (request.method() === 'POST' && /\brefreshSession\b/.test(request.postData() ?? '')) count += 1;
  });
  return { context, refreshes: () => count };
}

async function openTab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/kit/page.html`);
  await page.waitForFunction(() => 'kit' in window);
  await page.evaluate(() => (window as unknown as KitWindow).kit.ready);
  return page;
}

const me = (page: Page) => page.evaluate(() => (window as unknown as KitWindow).kit.me());
const state = (page: Page) => page.evaluate(() => (window as unknown as KitWindow).kit.session.state);

describeInBrowser()('the client kit in two tabs of one browser (cookie mode)', () => {
  it('refreshes once between the tabs when the token expires, both keep working, and a reload stays signed in', async () => {
    const { context, refreshes } = await kitContext();
    try {
      const first = await openTab(context);
      const email = uniqueEmail('tabs');
      await expect(first.evaluate(([e, p]) => (window as unknown as KitWindow).kit.signUp(e, p), [email, PASSWORD] as const)).resolves.toBe(
        'AuthPayload',
      );
      // A new tab has no access token until it trades the refresh cookie for one.
      const second = await openTab(context);
      await expect(state(second)).resolves.toBe('signed-in');
      const before = refreshes();

      // The token both tabs share expires; both tabs ask at once.
      await first.waitForTimeout(TTL_MS + 100);
      await expect(Promise.all([me(first), me(second)])).resolves.toEqual([email, email]);
      expect(refreshes() - before).toBe(1);

      await second.reload();
      await second.evaluate(() => (window as unknown as KitWindow).kit.ready);
      await expect(me(second)).resolves.toBe(email);
      await expect(me(first)).resolves.toBe(email);
    } finally {
      await context.close();
    }
  });
});
