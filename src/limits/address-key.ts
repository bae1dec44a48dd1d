import { isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The rate-limit subject of a client address (`address:<key>`). Sessions and
 * security events keep the address itself; only the limits count by this key.
 */
export function addressLimitKey(address: string): `address:${string}` {
  return `address:${limitIdentity(address)}`;
}

/**
 * What per-address limits count: an IPv4 address as it is (also when written
 * IPv4-mapped, `::ffff:192.0.2.1` or `::ffff:c000:201`), an IPv6 address by its
 * /64 — one host usually holds a whole /64, so counting single addresses would
 * not limit it. Node's `net` decides what is an address (ipaddr.js also reads
 * classful forms such as `127.1`); ipaddr.js reads an IPv6 address's groups.
 */
function limitIdentity(address: string): string {
  const mapped = unmappedIPv4(address);
  if (mapped !== null) return mapped;
  if (!isIPv6(address)) return address;
  const groups = ipaddr.IPv6.parse(address).parts.slice(0, 4);
  return `${groups.map((group) => group.toString(16)).join(':')}::/64`;
}

/** `192.0.2.1` for an IPv4-mapped IPv6 address (how a dual-stack socket reports an IPv4 client); null otherwise. */
export function unmappedIPv4(address: string): string | null {
  if (!isIPv6(address)) return null;
  const parsed = ipaddr.IPv6.parse(address);
  return parsed.isIPv4MappedAddress() ? parsed.toIPv4Address().toString() : null;
}
