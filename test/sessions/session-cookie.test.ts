import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseSetCookie } from 'cookie';
import { DEVICE_COOKIE, REFRESH_COOKIE, SessionCookie } from '../../src/graphql/session-cookie.ts';
import { ChangePasswordDocument, MeDocument, RefreshSessionDocument, SignInDocument, SignOutDocument, SignUpDocument } from '../generated/graphql.ts';
import { PASSWORD, uniqueEmail } from '../support/accounts.ts';
import { CookieClient } from '../support/cookie-client.ts';
import type { CookieJar } from '../support/cookie-jar.ts';
import { expectType } from '../support/graphql.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const APP_ORIGIN = 'https://app.example.com';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ SESSION_COOKIE: 'true', CORS_ORIGINS: APP_ORIGIN });
}, 180_000);
afterAll(() => server?.close(), 60_000);

/** A browser tab: its cookie jar, the CSRF header a GraphQL client library sends, and the access token in memory. */
class Browser extends CookieClient {
  constructor() {
    super(server.graphqlUrl);
  }

  async signUp() {
    const email = uniqueEmail('cookie');
    const { body } = await this.send(SignUpDocument, { input: { email, password: PASSWORD } });
    const payload = expectType(body.data!.signUp, 'AuthPayload');
    this.token = payload.token;
    return { email, payload };
  }
}

/** The latest Set-Cookie for the refresh token (answers that verify a password also set the device cookie). */
const lastSetCookie = (jar: CookieJar) => jar.received.filter((header) => header.startsWith(`${REFRESH_COOKIE}=`)).at(-1)!;

describe('cookie mode', () => {
  it('puts the refresh token only in an HttpOnly, SameSite=Strict cookie for /graphql', async () => {
    const browser = new Browser();
    const { payload } = await browser.signUp();
    expect(payload.refreshToken).toBeNull();
    const header = lastSetCookie(browser.jar);
    const cookie = parseSetCookie(header);
    expect(cookie).toMatchObject({ name: REFRESH_COOKIE, httpOnly: true, sameSite: 'strict', path: '/graphql' });
    expect(cookie.value).toMatch(/^[\w-]{43}$/);
    // Plain http on loopback outside production: no Secure, or the browser would never send it back.
    expect(cookie.secure).toBeFalsy();
    // Lives as long as the session.
    const sessionSeconds = (Date.parse(payload.refreshExpiresAt) - Date.now()) / 1000;
    expect(Math.abs((cookie.maxAge ?? 0) - sessionSeconds)).toBeLessThan(5);
  });

  it('refreshes from the cookie alone, rotating it', async () => {
    const browser = new Browser();
    await browser.signUp();
    const before = browser.jar.value(REFRESH_COOKIE);
    const { body } = await browser.send(RefreshSessionDocument, {});
    const refreshed = expectType(body.data!.refreshSession, 'AuthPayload');
    expect(refreshed.refreshToken).toBeNull();
    const after = browser.jar.value(REFRESH_COOKIE);
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    browser.token = refreshed.token;
    expect((await browser.send(MeDocument, {})).body.data?.me?.id).toBe(refreshed.user.id);
  });

  it('sets a new cookie on signIn and on changePassword', async () => {
    const browser = new Browser();
    const { email } = await browser.signUp();
    const laptop = new Browser();
    const { body } = await laptop.send(SignInDocument, { input: { email, password: PASSWORD } });
    expect(expectType(body.data!.signIn, 'AuthPayload').refreshToken).toBeNull();
    expect(laptop.jar.value(REFRESH_COOKIE)).toMatch(/^[\w-]{43}$/);
    const before = browser.jar.value(REFRESH_COOKIE);
    const changed = await browser.send(ChangePasswordDocument, { input: { currentPassword: PASSWORD, newPassword: 'Brand-New-Pass-7' } });
    expect(expectType(changed.body.data!.changePassword, 'ChangePasswordSuccess').refreshToken).toBeNull();
    expect(browser.jar.value(REFRESH_COOKIE)).not.toBe(before);
    expect((await browser.send(RefreshSessionDocument, {})).body.data?.refreshSession.__typename).toBe('AuthPayload');
    // The other device was signed out: its refresh fails and its cookie is cleared.
    expect((await laptop.send(RefreshSessionDocument, {})).body.data?.refreshSession.__typename).toBe('InvalidSessionError');
    expect(laptop.jar.value(REFRESH_COOKIE)).toBeUndefined();
  });

  it('clears the cookie on signOut; a refresh afterwards has nothing to present', async () => {
    const browser = new Browser();
    await browser.signUp();
    const { body } = await browser.send(SignOutDocument, {});
    expect(body.data?.signOut).toEqual({ __typename: 'SignOutSuccess', success: true, revokedSessions: 1 });
    expect(parseSetCookie(lastSetCookie(browser.jar))).toMatchObject({ name: REFRESH_COOKIE, value: '', maxAge: 0, path: '/graphql' });
    expect(browser.jar.value(REFRESH_COOKIE)).toBeUndefined();
    expect((await browser.send(RefreshSessionDocument, {})).body.data?.refreshSession.__typename).toBe('InvalidSessionError');
  });

  it('refuses with 403 a request that carries the cookie without the CSRF header, before anything runs', async () => {
    const browser = new Browser();
    await browser.signUp();
    const before = browser.jar.value(REFRESH_COOKIE);
    const refused = await browser.send(RefreshSessionDocument, {}, { csrf: false });
    expect(refused.status).toBe(403);
    expect(refused.body.data).toBeUndefined();
    // The token was not spent.
    expect(browser.jar.value(REFRESH_COOKIE)).toBe(before);
    expect((await browser.send(RefreshSessionDocument, {})).body.data?.refreshSession.__typename).toBe('AuthPayload');
  });

  it('allows credentials only for listed origins', async () => {
    const preflight = (origin: string) =>
      fetch(server.graphqlUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const listed = await preflight(APP_ORIGIN);
    expect(listed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    const unlisted = await preflight('https://evil.example');
    expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    expect(unlisted.headers.get('access-control-allow-credentials')).toBeNull();
  });
});

describe('the Secure attribute', () => {
  const signedIn = { refreshToken: 't', refreshExpiresAt: new Date(Date.now() + 60_000), session: { id: 's' } } as Parameters<SessionCookie['issued']>[0];
  const secureFor = (url: string, production: boolean) => {
    const cookie = new SessionCookie(new Request(url), { enabled: true, production });
    cookie.issued(signedIn);
    return parseSetCookie(cookie.setCookies[0]!).secure ?? false;
  };

  it('is left off only for plain http on loopback outside production', () => {
    expect(secureFor('http://127.0.0.1:4000/graphql', false)).toBe(false);
    expect(secureFor('http://localhost:4000/graphql', false)).toBe(false);
    expect(secureFor('http://127.0.0.1:4000/graphql', true)).toBe(true);
    expect(secureFor('http://app.example.com/graphql', false)).toBe(true);
    expect(secureFor('https://app.example.com/graphql', false)).toBe(true);
  });
});

describe('over HTTPS, the cookies carry the __Secure- prefix', () => {
  // Production: every cookie is Secure (TLS ends at a proxy in front of Rekey, so the browser's page is https).
  let production: TestServer;
  beforeAll(async () => {
    production = await startTestServer({ SESSION_COOKIE: 'true', NODE_ENV: 'production', CORS_ORIGINS: APP_ORIGIN });
  }, 180_000);
  afterAll(() => production?.close(), 60_000);

  const signUpBehindTls = async () => {
    const browser = new CookieClient(production.graphqlUrl, { behindTls: true });
    const { body } = await browser.send(SignUpDocument, { input: { email: uniqueEmail('secure-cookie'), password: PASSWORD } });
    expectType(body.data!.signUp, 'AuthPayload');
    return browser;
  };

  it('names the refresh and device cookies __Secure-…, and reads the refresh cookie back under that name', async () => {
    const browser = await signUpBehindTls();
    const names = browser.jar.received.map((header) => parseSetCookie(header));
    expect(names.map((cookie) => cookie.name).sort()).toEqual([`__Secure-${DEVICE_COOKIE}`, `__Secure-${REFRESH_COOKIE}`]);
    for (const cookie of names) expect(cookie).toMatchObject({ secure: true, httpOnly: true, path: '/graphql' });
    const before = browser.jar.value(`__Secure-${REFRESH_COOKIE}`);
    const { body } = await browser.send(RefreshSessionDocument, {});
    expect(body.data?.refreshSession.__typename).toBe('AuthPayload');
    expect(browser.jar.value(`__Secure-${REFRESH_COOKIE}`)).not.toBe(before);
  });

  it('still asks the CSRF header of a request carrying a __Secure- cookie', async () => {
    const browser = await signUpBehindTls();
    expect((await browser.send(RefreshSessionDocument, {}, { csrf: false })).status).toBe(403);
  });

  it('reads the device cookie under its prefixed name, and neither cookie under the bare name, over HTTPS', () => {
    const over = (url: string, cookie: string) => new SessionCookie(new Request(url, { headers: { cookie } }), { enabled: true, production: true });
    const https = 'https://rekey.example.com/graphql';
    expect(over(https, `__Secure-${DEVICE_COOKIE}=d; __Secure-${REFRESH_COOKIE}=r`)).toMatchObject({ presentedDevice: 'd', presented: 'r' });
    // A bare name can be set by plain http on the same host (cookie tossing): not trusted where Secure is used.
    expect(over(https, `${DEVICE_COOKIE}=d; ${REFRESH_COOKIE}=r`)).toMatchObject({ presentedDevice: null, presented: null });
    // A development server on loopback over http keeps the bare names (browsers refuse __Secure- there).
    const local = new SessionCookie(new Request('http://127.0.0.1:4000/graphql', { headers: { cookie: `${REFRESH_COOKIE}=r` } }), { enabled: true, production: false });
    expect(local.presented).toBe('r');
  });
});
