import { isIPv4, isIPv6 } from 'node:net';

/**
 * The rate-limit subject of a client address (`address:<key>`). Sessions and
 * security events keep the address itself; only the limits count by this key.
 */
export function addressLimitKey(address: string): `address:${string}` {
  return `address:${limitIdentity(address)}`;
}

/**
 * What per-address limits count: an IPv4 address as it is (also when written
 * IPv4-mapped, `::ffff:192.0.2.1`), an IPv6 address by its /64 — one host
 * usually holds a whole /64, so counting single addresses would not limit it.
 */
function limitIdentity(address: string): string {
  const mapped = unmappedIPv4(address);
  if (mapped !== null) return mapped;
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

/** `192.0.2.1` for `::ffff:192.0.2.1` (how a dual-stack socket reports an IPv4 client); null otherwise. */
export function unmappedIPv4(address: string): string | null {
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? null;
}
