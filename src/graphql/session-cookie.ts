import { parseCookie, stringifySetCookie } from 'cookie';
import type { Plugin } from 'graphql-yoga';
import type { SignedIn } from '../sessions/session-service.ts';
import type { Config } from '../config/config.ts';
import { DEVICE_TOKEN_TTL_MS } from '../devices/known-devices.ts';
import { json } from '../http/responses.ts';

/** Cookie mode's refresh-token cookie (see docs/api/sessions.md#cookie-mode). */
export const REFRESH_COOKIE = 'rekey_refresh';
/** Cookie mode's device-token cookie (see docs/api/limits.md#device-tokens). */
export const DEVICE_COOKIE = 'rekey_device';
/** The device cookie lasts as long as a device stays trusted: a year. */
const DEVICE_COOKIE_MAX_AGE = Math.floor(DEVICE_TOKEN_TTL_MS / 1000);
/** The path the browser sends it to: only the GraphQL endpoint. */
const COOKIE_PATH = '/graphql';
/** Every cookie of ours starts so (prefixed or not); a request carrying one must pass the CSRF guard. */
const OUR_COOKIES = /(?:^|;)\s*(?:__Secure-)?rekey_/;
/**
 * A Secure cookie's name carries this prefix: browsers then accept it only
 * from a secure origin with Secure set, so a plain-http page or network
 * attacker cannot plant or overwrite it (cookie tossing).
 */
const SECURE_PREFIX = '__Secure-';
/** Headers a cross-site form or simple request cannot send (the same as useCSRFPrevention's). */
const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'apollo-require-preflight'];

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

/**
 * What this request's answer does with the session cookie, and which session
 * it signed in (so that `Session.current` marks it). One per request, kept in
 * the GraphQL context; the plugin below writes its Set-Cookie headers.
 */
export class SessionCookie {
  readonly enabled: boolean;
  /** The session this answer signed in (signUp, signIn, refreshSession, changePassword), if any. */
  issuedSessionId: string | null = null;
  readonly setCookies: string[] = [];
  readonly #request: Request;
  readonly #secure: boolean;

  constructor(request: Request, { enabled, production }: { enabled: boolean; production: boolean }) {
    this.enabled = enabled;
    this.#request = request;
    const url = new URL(request.url);
    // Browsers drop Secure cookies over plain http: only a development server on loopback goes without.
    this.#secure = production || url.protocol !== 'http:' || !LOOPBACK.test(url.hostname);
  }

  /**
   * The name the browser knows a cookie of ours by: `__Secure-<name>` where it
   * is Secure. Only that name is read, so a bare-named cookie planted over
   * plain http is never taken for ours (docs/api/sessions.md#cookie-mode).
   */
  #nameOf(name: string): string {
    return this.#secure ? `${SECURE_PREFIX}${name}` : name;
  }

  /** The refresh token the browser sent, in cookie mode. */
  get presented(): string | null {
    return this.#cookie(REFRESH_COOKIE);
  }

  /** The device token the browser sent, in cookie mode. */
  get presentedDevice(): string | null {
    return this.#cookie(DEVICE_COOKIE);
  }

  /**
   * An answer signed a device in: remember the session, and in cookie mode set
   * the refresh cookie (and the device cookie, when the answer carries a device token). Returns its argument.
   */
  issued<T extends SignedIn>(signedIn: T): T {
    this.issuedSessionId = signedIn.session.id;
    if (this.enabled) {
      const maxAge = Math.max(0, Math.floor((signedIn.refreshExpiresAt.getTime() - Date.now()) / 1000));
      this.#set(REFRESH_COOKIE, signedIn.refreshToken, maxAge);
    }
    if (signedIn.deviceToken !== undefined) this.trustDevice(signedIn.deviceToken);
    return signedIn;
  }

  /** The answer made this browser a trusted device (a sign-in, a completed recovery): in cookie mode, the device cookie. */
  trustDevice(deviceToken: string): void {
    if (this.enabled) this.#set(DEVICE_COOKIE, deviceToken, DEVICE_COOKIE_MAX_AGE);
  }

  /** The session is over (signOut, a refused refresh): in cookie mode the browser forgets the token. */
  clear(): void {
    if (this.enabled) this.#set(REFRESH_COOKIE, '', 0);
  }

  /** Every device token of the account was voided (sign-out everywhere): in cookie mode the browser forgets its own. */
  forgetDevice(): void {
    if (this.enabled) this.#set(DEVICE_COOKIE, '', 0);
  }

  #cookie(name: string): string | null {
    if (!this.enabled) return null;
    const header = this.#request.headers.get('cookie');
    return header ? (parseCookie(header)[this.#nameOf(name)] ?? null) : null;
  }

  #set(name: string, value: string, maxAge: number): void {
    this.setCookies.push(stringifySetCookie({ name: this.#nameOf(name), value, httpOnly: true, sameSite: 'strict', path: COOKIE_PATH, secure: this.#secure, maxAge }));
  }
}

/**
 * Cookie mode's two duties at the HTTP level. CSRF: a state-changing request
 * that carries one of our cookies must also carry a header no cross-site
 * page can send without a preflight (useCSRFPrevention checks simple
 * requests only; a cookie makes every request worth forging). And the
 * Set-Cookie headers resolvers asked for.
 */
export function sessionCookiePlugin(config: Config, cookieOf: (request: Request) => SessionCookie | undefined): Plugin {
  return {
    onRequest({ request, endResponse }) {
      if (!config.sessionCookie || request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return;
      if (!OUR_COOKIES.test(request.headers.get('cookie') ?? '')) return;
      if (CSRF_HEADERS.some((name) => request.headers.has(name))) return;
      endResponse(
        json({ errors: [{ message: `Requests carrying session cookies must send the ${CSRF_HEADERS[0]} header.`, extensions: { code: 'CSRF' } }] }, 403),
      );
    },
    onResponse({ request, response }) {
      for (const cookie of cookieOf(request)?.setCookies ?? []) response.headers.append('set-cookie', cookie);
    },
  };
}
