import { addressBlock } from './client-address';

describe('addressBlock', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::FFFF:10.1.2.3', '10.1.2.3'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0001:ffff:0:0:1', '2001:db8:0:1::/64'],
    ['2001:db8:0:1:aaaa:bbbb:cccc:dddd', '2001:db8:0:1::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4::/64'],
    ['not-an-address', 'not-an-address'],
  ])('%s → %s', (address, block) => {
    expect(addressBlock(address)).toBe(block);
  });

  it('counts every address of one /64 as one client', () => {
    expect(addressBlock('2001:db8:1:2:3:4:5:6')).toBe(addressBlock('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressBlock('2001:db8:1:2::')).not.toBe(addressBlock('2001:db8:1:3::'));
  });

  it('bounds the length of a key that is not an address', () => {
    expect(addressBlock('x'.repeat(1000))).toHaveLength(64);
  });
});
