import type { IncomingMessage } from 'node:http';

/** What the Node adapter passes along with each request; absent in `app.fetch` tests. */
export interface ServerContext {
  req?: IncomingMessage;
}

/**
 * The caller's address: the socket's, or with TRUST_PROXY = N the entry the
 * Nth proxy from us appended to X-Forwarded-For. Entries further left are
 * written by the client itself and could be anything, so they are never used.
 */
export function clientAddress(request: Request, server: ServerContext, trustProxyHops: number): string {
  const socketAddress = server.req?.socket.remoteAddress ?? 'unknown';
  if (trustProxyHops === 0) return socketAddress;
  const forwarded = request.headers.get('x-forwarded-for');
  if (!forwarded) return socketAddress;
  const hops = forwarded
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const entry = hops[hops.length - trustProxyHops] ?? hops[0];
  // Bounded and plain, since it becomes part of a rate-limit key.
  return entry && entry.length <= 64 && /^[0-9a-fA-F:.]+$/.test(entry) ? entry : socketAddress;
}
