import { isIPv4, isIPv6 } from 'node:net';
import type { ServerContext } from './server-context.ts';
import { unmappedIPv4 } from '../limits/address-key.ts';

/**
 * The caller's address: the socket's, or with TRUST_PROXY = N the entry the
 * Nth proxy from us appended to X-Forwarded-For. Entries further left are
 * written by the client itself and could be anything, so they are never used.
 * This is the address sessions and security events keep; rate limits count an
 * IPv6 address by its /64 (addressLimitKey).
 */
export function clientAddress(request: Request, server: ServerContext, trustProxyHops: number): string {
  const address = forwardedOrSocketAddress(request, server, trustProxyHops);
  return unmappedIPv4(address) ?? (isIPv6(address) ? address.toLowerCase() : address);
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
  return (entry && forwardedAddress(entry)) ?? socketAddress;
}

/** `203.0.113.7`, `203.0.113.7:51234` */
const IPV4_ENTRY = /^([\d.]+)(?::(\d{1,5}))?$/;
/** `[2001:db8::1]`, `[2001:db8::1]:443` */
const BRACKETED_IPV6_ENTRY = /^\[([^\]]+)\](?::(\d{1,5}))?$/;

/**
 * The address in one X-Forwarded-For entry, or null when it is not one.
 * Proxies write `ip`, `ip:port` or `[ipv6]:port`; without stripping the port
 * every source port would count as a client of its own. Only what `net.isIP`
 * accepts counts, since it becomes part of a rate-limit key. A bare IPv6
 * address is taken whole (its last group cannot be told from a port).
 */
function forwardedAddress(entry: string): string | null {
  if (entry.length > 64) return null;
  const ipv4 = IPV4_ENTRY.exec(entry);
  const ipv6 = ipv4 ? null : BRACKETED_IPV6_ENTRY.exec(entry);
  const match = ipv4 ?? ipv6;
  if (match === null) return isIPv6(entry) ? entry : null;
  const [, address = '', port] = match;
  if (port !== undefined && Number(port) > 65_535) return null;
  return (ipv4 ? isIPv4(address) : isIPv6(address)) ? address : null;
}
