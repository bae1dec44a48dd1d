import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Plugin } from 'graphql-yoga';
import type { ServerContext } from './server-context.ts';

/**
 * The page may run only its own files and talk only to its own server: no
 * inline script or style, no third-party resource, never framed, never a
 * form posting elsewhere.
 */
export const ACCOUNT_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': ACCOUNT_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  // Reset and "This wasn't me" links carry a token in the address: never send it on as a Referer.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  etag: string;
  cacheControl: string;
}

const UI_DIR = new URL('../account-ui/', import.meta.url);

/** Every file of src/account-ui, read once at start: the page is a few kilobytes and never changes while running. */
function loadAssets(): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(UI_DIR)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType) continue;
    const body = new Uint8Array(readFileSync(new URL(name, UI_DIR)));
    assets.set(name, {
      body,
      contentType,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      // The HTML's address may hold a reset token: keep it out of every cache. The assets have
      // fixed names (no build step), so caches must revalidate them; the ETag makes that cheap.
      cacheControl: name === 'index.html' ? 'no-store' : 'no-cache',
    });
  }
  return assets;
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

function serve(asset: Asset, request: Request): Response {
  const headers = { ...SECURITY_HEADERS, 'content-type': asset.contentType, 'cache-control': asset.cacheControl, etag: asset.etag };
  if (request.headers.get('if-none-match') === asset.etag) return new Response(null, { status: 304, headers });
  return new Response(request.method === 'HEAD' ? null : asset.body, { status: 200, headers });
}

/**
 * `GET /account`: the self-service page (docs/account-page.md), and its files
 * under `/account/`. Static files only; the page uses /graphql like any client.
 */
export function accountPageRoute(): Plugin<object, ServerContext> {
  const assets = loadAssets();
  if (!assets.has('index.html')) throw new Error('src/account-ui/index.html is missing');
  return {
    onRequest({ url, request, endResponse }) {
      const { pathname } = url;
      if (pathname !== '/account' && !pathname.startsWith('/account/')) return;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(plain(405, 'Method Not Allowed', { allow: 'GET, HEAD' }));
        return;
      }
      const name = pathname === '/account' || pathname === '/account/' ? 'index.html' : pathname.slice('/account/'.length);
      // Looked up by exact name among the files read at start: nothing else on disk is reachable.
      const asset = assets.get(name);
      endResponse(asset ? serve(asset, request) : plain(404, 'Not Found'));
    },
  };
}
