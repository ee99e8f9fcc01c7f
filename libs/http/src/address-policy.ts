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
    range = ipaddr.process(ip).range();
  } catch {
    range = 'unparseable';
  }
  if (range !== 'unicast') {
    throw new BlockedAddressError(host, ip, range);
  }
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
