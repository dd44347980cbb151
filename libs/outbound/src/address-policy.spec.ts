import { nonPublicRangeOf } from './address-policy';

describe('nonPublicRangeOf', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.255.254', 'a loopback address'],
    ['10.1.2.3', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['169.254.169.254', 'a link-local address'],
    ['100.64.0.1', 'a carrier-grade NAT address'],
    ['0.0.0.0', 'an unspecified address'],
    ['0.1.2.3', 'an unspecified address'],
    ['224.0.0.1', 'a multicast address'],
    ['239.255.255.250', 'a multicast address'],
    ['255.255.255.255', 'a broadcast address'],
    ['240.0.0.1', 'a reserved address'],
    ['192.0.2.1', 'a reserved address'],
    ['198.18.0.1', 'a reserved address'],
    ['::1', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['fc00::1', 'a unique-local (private) address'],
    ['fd12:3456:789a::1', 'a unique-local (private) address'],
    ['ff02::1', 'a multicast address'],
    ['::ffff:127.0.0.1', 'an IPv4-mapped IPv6 address'],
    ['::ffff:7f00:1', 'an IPv4-mapped IPv6 address'],
    ['::ffff:8.8.8.8', 'an IPv4-mapped IPv6 address'],
    ['::7f00:1', 'an IPv4-compatible IPv6 address'],
    ['64:ff9b::7f00:1', 'a NAT64 address'],
    ['2002:7f00:1::1', 'a 6to4 address'],
    ['2001:0:4136:e378::1', 'a Teredo address'],
    ['2001:db8::1', 'a reserved address'],
    ['100::1', 'a special-purpose address (discard)'],
    ['fec0::1', 'a special-purpose address (deprecatedSiteLocal)'],
    ['4000::1', 'an address outside IPv6 global unicast'],
    ['localhost', 'not an IP address'],
  ])('refuses %s as %s', (address, range) => {
    expect(nonPublicRangeOf(address)).toBe(range);
  });

  it.each(['::127.0.0.1', '::0.0.0.1', '::8.8.8.8', '0:0:0:0:0:ffff:127.0.0.1'])(
    'refuses %s, an IPv4 address in IPv6 clothing',
    (address) => {
      expect(nonPublicRangeOf(address)).toMatch(/^an IPv4-(mapped|compatible) IPv6 address$/);
    },
  );

  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '151.101.1.140', '2606:4700:4700::1111', '2001:4860:4860::8888', '2a00:1450:4001::200e'])(
    'lets the public address %s pass',
    (address) => {
      expect(nonPublicRangeOf(address)).toBeUndefined();
    },
  );
});
