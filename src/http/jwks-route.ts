import type { Plugin } from 'graphql-yoga';
import type { ServerContext } from './server-context.ts';
import { json } from './responses.ts';

/** What the route publishes: the public keys only (see access-tokens/key-ring.ts). */
export interface PublishedKeys {
  jwks(): { keys: Record<string, string>[] };
}

export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * `GET /.well-known/jwks.json`: the public keys access tokens are signed
 * with (RFC 7517), from memory. Cacheable for JWKS_MAX_AGE; a rotated-in key
 * is published at least that long before any token carries it. With HS256
 * there is nothing to publish: an empty set.
 */
export function jwksRoute(keys: PublishedKeys | null, maxAgeMs: number): Plugin<object, ServerContext> {
  const cacheControl = `public, max-age=${Math.floor(maxAgeMs / 1000)}`;
  return {
    onRequest({ url, request, endResponse }) {
      if (url.pathname !== JWKS_PATH) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(json({ error: 'Only GET is allowed here.' }, 405, { allow: 'GET, HEAD' }));
        return;
      }
      endResponse(json(keys?.jwks() ?? { keys: [] }, 200, { 'cache-control': cacheControl, 'access-control-allow-origin': '*' }));
    },
  };
}
