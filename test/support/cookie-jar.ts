import { parseSetCookie, type SetCookie } from 'cookie';

interface Stored {
  cookie: SetCookie;
  expiresAt: number;
}

/**
 * A browser's cookie store, as far as these tests need one: Set-Cookie
 * headers are parsed with the `cookie` package and kept per name; a cookie
 * goes back only to URLs under its Path, only over https when Secure, and
 * not after Max-Age; Max-Age=0 deletes it.
 */
export class CookieJar {
  readonly #cookies = new Map<string, Stored>();
  /** Every Set-Cookie header received, as sent, to check attributes. */
  readonly received: string[] = [];

  store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      this.received.push(header);
      const cookie = parseSetCookie(header);
      const maxAge = cookie.maxAge ?? Number.POSITIVE_INFINITY;
      if (maxAge <= 0 || cookie.value === '') this.#cookies.delete(cookie.name);
      else this.#cookies.set(cookie.name, { cookie, expiresAt: Date.now() + maxAge * 1000 });
    }
  }

  header(url: string): string | null {
    const { pathname, protocol } = new URL(url);
    const sent = [...this.#cookies.values()].filter(({ cookie, expiresAt }) => {
      const path = cookie.path ?? '/';
      const underPath = pathname === path || pathname.startsWith(path.endsWith('/') ? path : `${path}/`);
      return underPath && expiresAt > Date.now() && (!cookie.secure || protocol === 'https:');
    });
    return sent.length === 0 ? null : sent.map(({ cookie }) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  value(name: string): string | undefined {
    return this.#cookies.get(name)?.cookie.value;
  }
}
