import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { uniqueAddress } from './addresses.ts';
import { CookieJar } from './cookie-jar.ts';

/**
 * A browser tab talking to a cookie-mode server: its cookie jar, the CSRF
 * header a GraphQL client library sends, the access token in memory, and
 * one client address of its own.
 */
export class CookieClient {
  readonly jar = new CookieJar();
  readonly address = uniqueAddress();
  readonly url: string;
  /** The page as the browser sees it: https when TLS ends at a proxy in front of Rekey (`behindTls`). */
  readonly #pageUrl: string;
  token: string | null = null;

  constructor(url: string, { behindTls = false } = {}) {
    this.url = url;
    this.#pageUrl = behindTls ? url.replace(/^http:/, 'https:') : url;
  }

  async send<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables, { csrf = true } = {}) {
    const cookie = this.jar.header(this.#pageUrl);
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': this.address,
        ...(csrf ? { 'x-graphql-yoga-csrf': '1' } : {}),
        ...(cookie ? { cookie } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query: print(document), variables }),
    });
    this.jar.store(response);
    return { status: response.status, body: (await response.json()) as { data?: TResult; errors?: unknown[] } };
  }
}
