import { isIPv4, isIPv6 } from 'node:net';
import type { ServerContext } from '../server-context.ts';

/**
 * The caller's address: the socket's, or with TRUST_PROXY = N the entry the
 * Nth proxy from us appended to X-Forwarded-For. Entries further left are
 * written by the client itself and could be anything, so they are never used.
 */
export function clientAddress(request: Request, server: ServerContext, trustProxyHops: number): string {
  return limitIdentity(forwardedOrSocketAddress(request, server, trustProxyHops));
}

/**
 * What per-address limits count: an IPv4 address as it is (also when written
 * IPv4-mapped, `::ffff:192.0.2.1`), an IPv6 address by its /64 — one host
 * usually holds a whole /64, so counting single addresses would not limit it.
 */
export function limitIdentity(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(address) || !isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = address.includes('::') ? 8 - headGroups.length - tailGroups.length : 0;
  const groups = [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

function forwardedOrSocketAddress(request: Request, server: ServerContext, trustProxyHops: number): string {
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
