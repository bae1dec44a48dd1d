import { createServer, type Server } from 'node:http';
import { Server as NetServer, type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../config/config.ts';
import type { App } from './app.ts';

export interface Listening {
  server: Server;
  /** `http://host:port`, with the port actually bound. */
  url: string;
}

/** Serves `app` on HOST:PORT, with Node's own timeouts just beyond REQUEST_TIMEOUT (the app answers first). */
export async function listen(app: App, config: Pick<Config, 'host' | 'port' | 'requestTimeoutMs'>): Promise<Listening> {
  const requestTimeout = config.requestTimeoutMs + 5_000;
  const server = createServer({ requestTimeout, headersTimeout: Math.min(10_000, requestTimeout) }, app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${host}:${address.port}` };
}

/** How long no request must have arrived on an open connection before idle ones are closed. */
export const DRAIN_QUIET_MS = 500;

/**
 * Stops taking connections without cutting open ones, then closes kept-alive
 * connections only once nobody is using them.
 *
 * http.Server#close would close idle kept-alive connections at once; a load
 * balancer that has not yet seen /ready turn 503 may be sending on one of them
 * at that moment, and HTTP/1.1 has no way to warn it. So until in-flight work
 * is done and no request has come for DRAIN_QUIET_MS, open connections are
 * still served — each answer with `Connection: close` (app.ts), so every
 * connection that carries a request during the drain closes cleanly after it.
 * Then idle connections are closed; whatever is open when SHUTDOWN_TIMEOUT
 * runs out is cut.
 */
export async function drain(server: Server, app: App, timeoutMs: number, quietMs = DRAIN_QUIET_MS): Promise<void> {
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  NetServer.prototype.close.call(server);
  const timeout = new AbortController();
  let timedOut = false;
  const deadline = delay(timeoutMs, undefined, { signal: timeout.signal }).then(
    () => (timedOut = true),
    () => undefined,
  );
  try {
    while (!timedOut) {
      await Promise.race([app.settled(), deadline]);
      const quiet = app.quietForMs();
      if (quiet >= quietMs || timedOut) break;
      await Promise.race([delay(quietMs - quiet), deadline]);
    }
    if (!timedOut) {
      server.closeIdleConnections();
      await Promise.race([closed, deadline]);
    }
  } finally {
    timeout.abort();
  }
  server.closeAllConnections();
  await closed;
}
