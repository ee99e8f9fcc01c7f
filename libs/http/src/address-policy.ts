import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { BlockedAddressError } from './http-client.errors';

/**
 * Throws `BlockedAddressError` unless `ip` is a public unicast address. `ipaddr.process` unwraps IPv4-mapped IPv6
 * (`::ffff:7f00:1` is 127.0.0.1), and every special range (loopback, RFC 1918, CGNAT, link-local, ULA, multicast,
 * unspecified, NAT64, 6to4, documentation...) is refused: an allowlist of one range fails closed.
 */
export function assertPublicAddress(ip: string, host: string): void {
  let range: string;
  try {
    range = rangeOf(ip);
  } catch {
    range = 'unparseable';
  }
  if (range !== 'unicast') {
    throw new BlockedAddressError(host, ip, range);
  }
}

const IPV4_COMPATIBLE = ipaddr.IPv6.parse('::');

/**
 * ipaddr.js calls the deprecated IPv4-compatible range (`::/96`, RFC 4291 2.5.5.1) unicast, or unwraps its
 * dotted form (`::8.8.8.8`) to IPv4, but `::7f00:1` is 127.0.0.1 to stacks that still route it: no public
 * target is written that way, so the whole range is refused (`::` and `::1` keep their own names).
 */
function rangeOf(ip: string): string {
  if (ipaddr.IPv6.isValid(ip)) {
    // ipaddr.js reads `::8.8.8.8` as `::ffff:8.8.8.8`; WHATWG URL writes it as the stack reads it, `::808:808`.
    const v6 = ipaddr.IPv6.parse(new URL(`http://[${ip}]/`).hostname.slice(1, -1));
    if (v6.range() === 'unicast' && v6.match(IPV4_COMPATIBLE, 96)) {
      return 'ipv4Compatible';
    }
  }
  return ipaddr.process(ip).range();
}

/**
 * Wraps a resolver so that the socket can only connect to public addresses. Checking here, on the addresses the
 * socket will actually use, defeats DNS rebinding (a check before the request would resolve separately).
 */
export function publicOnlyLookup(resolve: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options, (err, address, family) => {
      if (err) {
        callback(err, address, family);
        return;
      }
      // net asks for `all: true` when autoSelectFamily is on; refuse the host if any candidate is private.
      const candidates = typeof address === 'string' ? [address] : address.map((a: LookupAddress) => a.address);
      try {
        candidates.forEach((ip) => assertPublicAddress(ip, hostname));
      } catch (blocked) {
        callback(blocked as BlockedAddressError, address, family);
        return;
      }
      callback(null, address, family);
    });
  };
}
