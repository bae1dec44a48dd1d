import { createServerAdapter, type ServerAdapter } from '@whatwg-node/server';
import type { AccountsFor } from '../http/accounts-for.ts';
import type { PasswordPolicy } from '../passwords/password-policy.ts';
import type { Config } from '../config/config.ts';
import type { Orm } from '../db/orm.ts';
import { withLogFields, type AppLogger } from '../observability/logging.ts';
import { operationMetrics } from '../graphql/plugins/operation-metrics.ts';
import { operationSpanName } from '../graphql/plugins/operation-span-name.ts';
import { traceRequest } from '../observability/tracing.ts';
import { createGraphQLServer } from '../graphql/yoga.ts';
import { accountPageRoute } from '../http/account-page-route.ts';
import { readyRoute } from '../http/ready-route.ts';
import { jwksRoute, type PublishedKeys } from '../http/jwks-route.ts';
import { REST_CHANGE_PASSWORD_ROUTE, restChangePasswordRoute } from '../http/rest-change-password.ts';
import { graphqlServiceUnavailable, restServiceUnavailable } from '../http/service-unavailable.ts';
import { json, PayloadTooLargeError, readBodyLimited, withinDeclaredLength } from '../http/responses.ts';
import type { ServerContext } from '../http/server-context.ts';
import { metricsRoute } from '../http/metrics-route.ts';
import type { Readiness } from '../http/readiness.ts';
import { requestIdFor } from '../http/request-id.ts';
import type { Metrics } from '../observability/metrics.ts';
import { WriteDeadline } from '../http/write-deadline.ts';

export interface AppDeps {
  config: Config;
  orm: Orm;
  accountsFor: AccountsFor;
  policy: PasswordPolicy;
  logger: AppLogger;
  metrics: Metrics;
  readiness: Readiness;
  /** The shared ES256 key set, published at /.well-known/jwks.json (null with HS256: an empty set). */
  keyRing: PublishedKeys | null;
}

interface AppHandlers {
  handle: (request: Request, server: ServerContext) => Promise<Response>;
  /** Resolves once every request started so far has finished its work (timed-out ones included). */
  settled: () => Promise<void>;
  /** How many requests are being worked on now (timed-out ones included). */
  inFlight: () => number;
  /** Milliseconds since the last request finished with none running since; 0 while any runs. */
  quietForMs: () => number;
}

export type App = ServerAdapter<ServerContext, AppHandlers>;

type Handler = (request: Request, server: ServerContext) => Promise<Response>;

const timedOut = Symbol('timed out');

/** Yoga's plugins for the routes beside /graphql, and the per-operation counter. */
function appRoutes(deps: AppDeps) {
  const { config } = deps;
  return [
    readyRoute(deps.readiness),
    jwksRoute(deps.keyRing, config.jwksMaxAgeMs),
    ...(config.metricsToken ? [metricsRoute(deps.metrics, config.metricsToken)] : []),
    restChangePasswordRoute(deps),
    ...(config.accountUi ? [accountPageRoute()] : []),
    // Not a route: counts each query/mutation field's result for rekey_operations_total.
    operationMetrics(
      (operation, result) => deps.metrics.countOperation(operation, result),
      (operation, seconds) => deps.metrics.observeOperation(operation, seconds),
    ),
    ...(config.tracing ? [operationSpanName()] : []),
  ];
}

/**
 * Bounds a request's body by MAX_BODY_BYTES before `next` sees it; a larger
 * one is answered 413. A body with a Content-Length within the bound goes on
 * unread: Node's parser never delivers more than that length, so `next` reads
 * it once. Any other body (chunked) is read here, up to the bound.
 */
function bodyLimited(next: Handler, maxBodyBytes: number): Handler {
  return async (request, server) => {
    if (request.method !== 'POST' && request.method !== 'PUT' && request.method !== 'PATCH') return next(request, server);
    if (withinDeclaredLength(request, maxBodyBytes)) return next(request, server);
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = await readBodyLimited(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        return json({ errors: [{ message: `Request body is larger than ${maxBodyBytes} bytes.` }] }, 413, { connection: 'close' });
      }
      throw error;
    }
    const buffered = new Request(request.url, { method: request.method, headers: request.headers, body, signal: request.signal });
    return next(buffered, server);
  };
}

/** Work still running, including requests whose client already got a timeout answer: what the drain waits for. */
class RunningRequests {
  readonly #running = new Set<Promise<unknown>>();
  #lastFinishedAt = performance.now();

  track(work: Promise<unknown>): void {
    this.#running.add(work);
    void work
      .catch(() => undefined)
      .finally(() => {
        this.#running.delete(work);
        this.#lastFinishedAt = performance.now();
      });
  }

  get count(): number {
    return this.#running.size;
  }

  async settled(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  quietForMs(): number {
    return this.#running.size > 0 ? 0 : performance.now() - this.#lastFinishedAt;
  }
}

// A typed refusal in the shape the caller's route speaks.
function timeoutResponse(request: Request): Response {
  if (REST_CHANGE_PASSWORD_ROUTE.test(new URL(request.url).pathname)) return restServiceUnavailable();
  return graphqlServiceUnavailable('The request took too long and was stopped.');
}

/** The answer, or a 503 once REQUEST_TIMEOUT has passed (the work itself goes on, tracked in `running`). */
function withinTimeout(next: Handler, running: RunningRequests, timeoutMs: number): Handler {
  return async (request, server) => {
    const writeDeadline = new WriteDeadline();
    const work = next(request, { ...server, writeDeadline });
    running.track(work);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof timedOut>((resolve) => {
      timer = setTimeout(() => resolve(timedOut), timeoutMs);
    });
    try {
      const response = await Promise.race([work, deadline]);
      if (response !== timedOut) return response;
      // Past the point of writing, the client hears the real outcome, however long it takes.
      if (!writeDeadline.expire()) return await work;
      return timeoutResponse(request);
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * Every request gets an id (the caller's X-Request-Id when sane), returned
 * in the response and carried by every log line written while serving it.
 */
function identifiedAndLogged(next: Handler, { readiness, logger }: Pick<AppDeps, 'readiness' | 'logger'>): Handler {
  return async (request, server) => {
    const requestId = requestIdFor(request);
    const started = performance.now();
    // The path without its query string, which may hold a link's token (`/account?reset=…`).
    const { pathname } = new URL(request.url);
    return traceRequest(request, spanPath(pathname), (traceId) => withLogFields(traceId === null ? { requestId } : { requestId, traceId }, async () => {
      const response = await next(request, server);
      const headers: Record<string, string> = { 'x-request-id': requestId };
      // While draining, each connection is closed after its answer, so kept-alive clients move on.
      if (readiness.draining) headers.connection = 'close';
      const answered = withHeaders(response, headers);
      const quiet = pathname === '/ready' || pathname === '/health' || pathname === '/metrics';
      logger[quiet ? 'debug' : 'info']({ method: request.method, path: pathname, status: answered.status, ms: Math.round(performance.now() - started) }, 'request');
      return answered;
    }));
  };
}

/** A span's route: the known routes as they are, anything else as one name (a path may be anything a client sent). */
function spanPath(pathname: string): string {
  if (REST_CHANGE_PASSWORD_ROUTE.test(pathname)) return '/api/v1/change-password';
  return ['/graphql', '/account', '/ready', '/health', '/metrics'].includes(pathname) || pathname.startsWith('/account/') ? pathname : '/*';
}

/**
 * The whole HTTP surface as one fetch handler: Node's `http.createServer(app)`
 * serves it, and tests call `app.fetch(request)` without a socket.
 * In front of Yoga: the body-size bound and the request timeout, which does
 * not cut a request that has begun writing (see WriteDeadline).
 */
export function createApp(deps: AppDeps): App {
  const { config } = deps;
  const yoga = createGraphQLServer({ ...deps, routes: appRoutes(deps) });
  const running = new RunningRequests();
  const bounded = bodyLimited(async (request, server) => yoga.handle(request, server), config.maxBodyBytes);
  const handle = identifiedAndLogged(withinTimeout(bounded, running, config.requestTimeoutMs), deps);
  return createServerAdapter<ServerContext, AppHandlers>({
    handle,
    settled: () => running.settled(),
    inFlight: () => running.count,
    quietForMs: () => running.quietForMs(),
  });
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  try {
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  } catch {
    // Immutable headers (e.g. Response.error()): copy the response.
    const copy = new Response(response.body, response);
    for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
    return copy;
  }
}
