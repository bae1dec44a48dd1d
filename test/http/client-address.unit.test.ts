import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { clientAddress } from '../../src/http/client-address.ts';
import { addressLimitKey } from '../../src/limits/address-key.ts';
import type { ServerContext } from '../../src/http/server-context.ts';

// The socket address a proxy in front of us connects from.
const SOCKET = '10.0.0.5';
const server = { req: { socket: { remoteAddress: SOCKET } } as IncomingMessage } satisfies ServerContext;
const behindOneProxy = (forwarded: string) =>
  clientAddress(new Request('http://rekey.test/graphql', { headers: { 'x-forwarded-for': forwarded } }), server, 1);

describe('X-Forwarded-For entries count only as valid IP addresses', () => {
  it('takes a plain IPv4 or IPv6 entry', () => {
    expect(behindOneProxy('203.0.113.7')).toBe('203.0.113.7');
    expect(behindOneProxy('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2:3:4:5:6');
  });

  it('strips a :port, so one client on many source ports is one client', () => {
    expect(behindOneProxy('203.0.113.7:51234')).toBe('203.0.113.7');
    expect(behindOneProxy('203.0.113.7:51235')).toBe('203.0.113.7');
  });

  it('strips brackets and a port from an IPv6 entry', () => {
    expect(behindOneProxy('[2001:db8::1]:443')).toBe('2001:db8::1');
    expect(behindOneProxy('[2001:DB8::1]')).toBe('2001:db8::1');
  });

  it('falls back to the socket address for anything that is not an IP address', () => {
    for (const entry of ['1.2.3', '999.1.1.1', '::::', 'abc', 'dead:beef', '1.2.3.4:99999', '[1.2.3.4]:80:80', '1.2.3.4.5', ':::1:2:3:4:5:6:7:8']) {
      expect(behindOneProxy(entry)).toBe(SOCKET);
    }
  });

  it('uses the entry the trusted proxy appended, not what the client wrote', () => {
    expect(behindOneProxy('198.51.100.1, 203.0.113.7:8080')).toBe('203.0.113.7');
  });
});

describe("the address kept is the client's own; limits count an IPv6 client by its /64", () => {
  it('keeps a whole IPv6 address, and an IPv4-mapped one as IPv4', () => {
    expect(behindOneProxy('2001:db8:7::1')).toBe('2001:db8:7::1');
    expect(behindOneProxy('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('keys the limit of an IPv6 address by its /64 and of an IPv4 address by itself', () => {
    expect(addressLimitKey('2001:db8:7::1')).toBe('address:2001:db8:7:0::/64');
    expect(addressLimitKey('2001:db8:7:0:ffff::2')).toBe('address:2001:db8:7:0::/64');
    expect(addressLimitKey('2001:0db8:0007:0001::2')).toBe('address:2001:db8:7:1::/64');
    expect(addressLimitKey('203.0.113.7')).toBe('address:203.0.113.7');
    expect(addressLimitKey('::ffff:203.0.113.7')).toBe('address:203.0.113.7');
  });

  it('reads every way of writing an IPv6 address: mapped IPv4 in hex, an embedded IPv4 tail, a zone', () => {
    // An IPv4 client written in hex groups is still that client, not the /64 of every mapped address.
    expect(behindOneProxy('::ffff:cb00:7107')).toBe('203.0.113.7');
    expect(addressLimitKey('::ffff:cb00:7107')).toBe('address:203.0.113.7');
    expect(addressLimitKey('::FFFF:203.0.113.7')).toBe('address:203.0.113.7');
    expect(addressLimitKey('64:ff9b::203.0.113.7')).toBe('address:64:ff9b:0:0::/64');
    expect(addressLimitKey('fe80::1%eth0')).toBe('address:fe80:0:0:0::/64');
    expect(addressLimitKey('::1')).toBe('address:0:0:0:0::/64');
  });
});
