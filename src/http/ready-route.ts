import type { Plugin } from 'graphql-yoga';
import type { Orm } from '../db/orm.ts';
import type { ServerContext } from '../server-context.ts';
import { json } from './responses.ts';

/**
 * `GET /ready`: the database answers, so a load balancer may send traffic. (`/health` is Yoga's: the process is up.)
 * The check is bounded by `timeoutMs`: a database that does not answer counts as down, and the probe gets its 503 in time.
 */
export function readyRoute(orm: Orm, timeoutMs = 2_000): Plugin<object, ServerContext> {
  return {
    async onRequest({ url, request, endResponse }) {
      if (url.pathname !== '/ready' || request.method !== 'GET') return;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('readiness check timed out')), timeoutMs);
      });
      try {
        await Promise.race([orm.em.getConnection().execute('select 1'), deadline]);
        endResponse(json({ status: 'ready' }));
      } catch {
        endResponse(json({ status: 'unavailable' }, 503));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
