import { createServerAdapter, type ServerAdapter } from '@whatwg-node/server';
import type { AccountDeps } from './accounts/account-service.ts';
import type { Config } from './config.ts';
import type { Orm } from './db/orm.ts';
import type { AppLogger } from './logging.ts';
import { createGraphQLServer } from './graphql/yoga.ts';
import type { ServerContext } from './http/client-address.ts';
import { readyRoute } from './http/ready-route.ts';
import { restChangePasswordRoute } from './http/rest-change-password.ts';
import { json, PayloadTooLargeError, readBodyLimited } from './http/responses.ts';
import { WriteDeadline } from './http/write-deadline.ts';

export interface AppDeps {
  config: Config;
  orm: Orm;
  accounts: AccountDeps;
  logger: AppLogger;
}

interface AppHandlers {
  handle: (request: Request, server: ServerContext) => Promise<Response>;
  /** Resolves once every request started so far has finished its work (timed-out ones included). */
  settled: () => Promise<void>;
}

export type App = ServerAdapter<ServerContext, AppHandlers>;

const timedOut = Symbol('timed out');

/**
 * The whole HTTP surface as one fetch handler: Node's `http.createServer(app)`
 * serves it, and tests call `app.fetch(request)` without a socket.
 * In front of Yoga: the body-size bound and the request timeout, which does
 * not cut a request that has begun writing (see WriteDeadline).
 */
export function createApp(deps: AppDeps): App {
  const { config } = deps;
  const yoga = createGraphQLServer({
    ...deps,
    routes: [readyRoute(deps.orm), restChangePasswordRoute(deps)],
  });

  async function bounded(request: Request, server: ServerContext): Promise<Response> {
    if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'PATCH') {
      return yoga.handle(request, server);
    }
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = await readBodyLimited(request, config.maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        return json({ errors: [{ message: `Request body is larger than ${config.maxBodyBytes} bytes.` }] }, 413, { connection: 'close' });
      }
      throw error;
    }
    const buffered = new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal });
    return yoga.handle(buffered, server);
  }

  // Work still running, including requests whose client already got a timeout answer.
  const running = new Set<Promise<unknown>>();

  async function handle(request: Request, server: ServerContext): Promise<Response> {
    const writeDeadline = new WriteDeadline();
    const work = bounded(request, { ...server, writeDeadline });
    running.add(work);
    void work.catch(() => undefined).finally(() => running.delete(work));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), config.requestTimeoutMs);
    });
    try {
      const response = await Promise.race([work, deadline]);
      if (response !== timedOut) return response;
      // Past the point of writing, the client hears the real outcome, however long it takes.
      if (!writeDeadline.expire()) return await work;
      return json({ errors: [{ message: 'The request took too long and was stopped.' }] }, 503);
    } finally {
      clearTimeout(timer);
    }
  }

  async function settled(): Promise<void> {
    while (running.size > 0) await Promise.allSettled([...running]);
  }

  return createServerAdapter<ServerContext, AppHandlers>({ handle, settled });
}
