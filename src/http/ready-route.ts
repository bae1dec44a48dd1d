import type { Plugin } from 'graphql-yoga';
import type { Orm } from '../db/orm.ts';
import type { ServerContext } from '../server-context.ts';
import { json } from './responses.ts';

/** `GET /ready`: the database answers, so a load balancer may send traffic. (`/health` is Yoga's: the process is up.) */
export function readyRoute(orm: Orm): Plugin<object, ServerContext> {
  return {
    async onRequest({ url, request, endResponse }) {
      if (url.pathname !== '/ready' || request.method !== 'GET') return;
      try {
        await orm.em.getConnection().execute('select 1');
        endResponse(json({ status: 'ready' }));
      } catch {
        endResponse(json({ status: 'unavailable' }, 503));
      }
    },
  };
}
