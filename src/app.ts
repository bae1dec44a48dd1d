import { createServerAdapter, type ServerAdapter } from '@whatwg-node/server';
import type { AccountsFor } from './accounts-for.ts';
import type { PasswordPolicy } from './accounts/password-policy.ts';
import type { Config } from './config.ts';
import type { Orm } from './db/orm.ts';
import type { AppLogger } from './logging.ts';
import { createGraphQLServer } from './graphql/yoga.ts';
import { accountPageRoute } from './http/account-page-route.ts';
import { readyRoute } from './http/ready-route.ts';
import { REST_CHANGE_PASSWORD_ROUTE, restChangePasswordRoute } from './http/rest-change-password.ts';
import { graphqlServiceUnavailable, restServiceUnavailable } from './http/service-unavailable.ts';
import { json, PayloadTooLargeError, readBodyLimited } from './http/responses.ts';
import type { ServerContext } from './server-context.ts';

export interface AppDeps {
  config: Config;
  orm: Orm;
  accountsFor: AccountsFor;
  policy: PasswordPolicy;
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
 * In front of Yoga: the body-size bound and the request timeout.
 */
export function createApp(deps: AppDeps): App {
  const { config } = deps;
  const yoga = createGraphQLServer({
    ...deps,
    routes: [readyRoute(deps.orm, Math.min(2_000, config.requestTimeoutMs)), restChangePasswordRoute(deps), ...(config.accountUi ? [accountPageRoute()] : [])],
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
    const work = bounded(request, server);
    running.add(work);
    void work.catch(() => undefined).finally(() => running.delete(work));
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), config.requestTimeoutMs);
    });
    try {
      const response = await Promise.race([work, deadline]);
      if (response === timedOut) return timeoutResponse(request);
      return response;
    } finally {
      clearTimeout(timer);
    }
  }

  // A typed refusal in the shape the caller's route speaks (SPEC "Outages").
  function timeoutResponse(request: Request): Response {
    if (REST_CHANGE_PASSWORD_ROUTE.test(new URL(request.url).pathname)) return restServiceUnavailable();
    return graphqlServiceUnavailable('The request took too long and was stopped.');
  }

  async function settled(): Promise<void> {
    while (running.size > 0) await Promise.allSettled([...running]);
  }

  return createServerAdapter<ServerContext, AppHandlers>({ handle, settled });
}
