import ipaddr from 'ipaddr.js';

/** How ipaddr.js's range names read in a refusal. */
const RANGE_NAMES: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT address',
  private: 'a private address',
  reserved: 'a reserved address',
  uniqueLocal: 'a unique-local (private) address',
  ipv4Mapped: 'an IPv4-mapped IPv6 address',
  rfc6145: 'an IPv4-translated IPv6 address',
  rfc6052: 'a NAT64 address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
};

/** IPv6's global unicast block: outside it are the IPv4-compatible `::a.b.c.d` form and space not assigned for use. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Why `address` (an IPv4 or IPv6 address, as written by `dns.lookup` or a
 * URL) is not a public address, as words for a refusal ("a loopback
 * address"); `undefined` when it is public. Only ipaddr.js's `unicast`
 * range passes: loopback, private, link-local, multicast, unspecified,
 * broadcast, reserved, carrier-grade NAT, and the IPv6 forms that embed an
 * IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) are all refused,
 * so an IPv4 address cannot slip through in IPv6 clothing.
 */
export function nonPublicRangeOf(address: string): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // Zone ids (`fe80::1%eth0`) are accepted by the parser; the range decides.
    parsed = ipaddr.parse(address);
  } catch {
    return 'not an IP address';
  }
  const range = parsed.range();
  if (range !== 'unicast') return RANGE_NAMES[range] ?? `a special-purpose address (${range})`;
  if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) {
    return parsed.match(ipaddr.parseCIDR('::/96')) ? 'an IPv4-compatible IPv6 address' : 'an address outside IPv6 global unicast';
  }
  return undefined;
}
