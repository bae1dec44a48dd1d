import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../observability/metrics.ts';
import type { Secret } from '../secrets/secret.ts';
import type { ServerContext } from './server-context.ts';
import { json } from './responses.ts';

const digest = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest();

/**
 * `GET /metrics`: Prometheus text, only for `Authorization: Bearer <METRICS_TOKEN>`.
 * The comparison is constant-time over digests (so the token's length leaks
 * nothing either). Without METRICS_TOKEN the route is not installed: 404.
 */
export function metricsRoute(metrics: Metrics, token: Secret): Plugin<object, ServerContext> {
  const expected = digest(token.bytes);
  return {
    async onRequest({ url, request, endResponse }) {
      if (url.pathname !== '/metrics') return;
      if (request.method !== 'GET') {
        endResponse(json({ error: 'Method not allowed. Use GET.' }, 405, { allow: 'GET' }));
        return;
      }
      const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        endResponse(json({ error: 'A valid metrics token is required.' }, 401, { 'www-authenticate': 'Bearer realm="metrics"' }));
        return;
      }
      const { text, contentType } = await metrics.exposition();
      endResponse(new Response(text, { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' } }));
    },
  };
}
