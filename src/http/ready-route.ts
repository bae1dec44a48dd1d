import type { Plugin } from 'graphql-yoga';
import type { ServerContext } from './server-context.ts';
import type { Readiness } from './readiness.ts';
import { json } from './responses.ts';

/**
 * `GET /ready`: 200 when the database (and Redis, when set) answer and the
 * server is not draining, so a load balancer may send traffic; 503 otherwise,
 * saying which part is missing. (`/health` is Yoga's: the process is up.)
 */
export function readyRoute(readiness: Readiness): Plugin<object, ServerContext> {
  return {
    async onRequest({ url, request, endResponse }) {
      if (url.pathname !== '/ready' || request.method !== 'GET') return;
      const { ready, ...checks } = await readiness.check();
      endResponse(ready ? json({ status: 'ready' }) : json({ status: 'unavailable', ...checks }, 503));
    },
  };
}
