import ipaddr from 'ipaddr.js';

/**
 * The key a client's requests are counted under: its IPv4 address, or the /64 of its IPv6 address (one
 * subscriber line gets a whole /64, so counting each address apart would give it 2^64 budgets). An
 * IPv4-mapped IPv6 address counts as its IPv4 address.
 */
export function clientBucket(clientIp: string): string {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(clientIp);
  } catch {
    return clientIp;
  }
  if (address.kind() === 'ipv4') {
    return address.toString();
  }
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}
