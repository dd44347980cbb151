import { OutboundRequestError } from './outbound-errors';
import { OutboundPolicy } from './outbound-policy';

/** The refusal `check` throws for `input`, or undefined when it passes. */
function refusalOf(policy: OutboundPolicy, input: string): OutboundRequestError | undefined {
  try {
    policy.check(policy.parse(input));
    return undefined;
  } catch (error) {
    if (error instanceof OutboundRequestError) return error;
    throw error;
  }
}

describe('OutboundPolicy', () => {
  const strict = new OutboundPolicy([]);
  const withLocalhost = new OutboundPolicy(['localhost']);

  it.each([
    ['http://127.0.0.1/x', '127.0.0.1 is a loopback address'],
    ['http://127.0.0.1:8080/x', '127.0.0.1 is a loopback address'],
    ['http://2130706433/x', '127.0.0.1 is a loopback address'],
    ['http://0x7f.1/x', '127.0.0.1 is a loopback address'],
    ['http://0x7f000001/x', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/x', '127.0.0.1 is a loopback address'],
    ['http://127.1/x', '127.0.0.1 is a loopback address'],
    ['http://%31%32%37.0.0.1/x', '127.0.0.1 is a loopback address'],
    ['http://[::1]/x', '::1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]/x', '::ffff:7f00:1 is an IPv4-mapped IPv6 address'],
    ['http://[0:0:0:0:0:ffff:7f00:1]/x', '::ffff:7f00:1 is an IPv4-mapped IPv6 address'],
    ['http://[::127.0.0.1]/x', '::7f00:1 is an IPv4-compatible IPv6 address'],
    ['http://[64:ff9b::a00:1]/x', '64:ff9b::a00:1 is a NAT64 address'],
    ['http://0.0.0.0/x', '0.0.0.0 is an unspecified address'],
    ['http://0/x', '0.0.0.0 is an unspecified address'],
    ['http://[::]/x', ':: is an unspecified address'],
    ['http://10.0.0.1/x', '10.0.0.1 is a private address'],
    ['http://167772161/x', '10.0.0.1 is a private address'],
    ['http://192.168.0.10/x', '192.168.0.10 is a private address'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is a link-local address'],
    ['http://100.100.100.200/x', '100.100.100.200 is a carrier-grade NAT address'],
    ['http://224.0.0.1/x', '224.0.0.1 is a multicast address'],
    ['http://255.255.255.255/x', '255.255.255.255 is a broadcast address'],
    ['http://[fd00::1]/x', 'fd00::1 is a unique-local (private) address'],
    ['http://[fe80::1]/x', 'fe80::1 is a link-local address'],
  ])('refuses %s before connecting: "%s"', (input, reason) => {
    const refusal = refusalOf(strict, input);
    expect(refusal).toMatchObject({ failure: 'address', errorId: 'BadRequest', refused: true, retryable: false });
    expect(refusal?.message).toBe(`${reason}; only public addresses can be fetched unless the host is listed in REMOTE_FETCH_ALLOW_HOSTS.`);
  });

  it.each([
    ['ftp://example.com/x', 'scheme', 'Only http and https URLs can be fetched, not ftp: URLs.'],
    ['file:///etc/passwd', 'scheme', 'Only http and https URLs can be fetched, not file: URLs.'],
    ['gopher://example.com/x', 'scheme', 'Only http and https URLs can be fetched, not gopher: URLs.'],
    ['data:text/plain,hello', 'scheme', 'Only http and https URLs can be fetched, not data: URLs.'],
    ['https://user:secret@example.com/x', 'credentials', 'URLs with a user name or password cannot be fetched.'],
    [
      'http://example.com:8080/x',
      'port',
      'Port 8080 is not allowed: only ports 80 and 443 are, unless the host is listed in REMOTE_FETCH_ALLOW_HOSTS.',
    ],
    [
      'https://example.com:22/x',
      'port',
      'Port 22 is not allowed: only ports 80 and 443 are, unless the host is listed in REMOTE_FETCH_ALLOW_HOSTS.',
    ],
  ])('refuses %s (%s)', (input, failure, message) => {
    expect(refusalOf(strict, input)).toMatchObject({ failure, message, refused: true });
  });

  it.each(['not a url', '/relative/path', 'http://', 'http://[::1/x', 'http://exa mple.com/'])(
    'refuses "%s" as an invalid URL',
    (input) => {
      expect(refusalOf(strict, input)).toMatchObject({ failure: 'invalid-url', refused: true });
    },
  );

  it.each([
    'https://images.example.com/cat.png',
    'http://example.com/x',
    'http://example.com:80/x',
    'https://example.com:443/x',
    'http://example.com:443/x',
    'http://8.8.8.8/x',
    'http://134744072/x',
    'https://[2606:4700:4700::1111]/x',
  ])('lets %s pass (its addresses are checked when connecting)', (input) => {
    expect(refusalOf(strict, input)).toBeUndefined();
  });

  describe('the allow-list (REMOTE_FETCH_ALLOW_HOSTS)', () => {
    it('allows a listed name on any port, whatever it resolves to', () => {
      expect(refusalOf(withLocalhost, 'http://localhost:8080/x')).toBeUndefined();
      expect(refusalOf(withLocalhost, 'http://LOCALHOST:8080/x')).toBeUndefined();
      expect(withLocalhost.refusalOfAddresses('localhost', ['127.0.0.1', '::1'])).toBeUndefined();
    });

    it.each(['http://127.0.0.1:8080/x', 'http://2130706433:8080/x', 'http://[::1]:8080/x', 'http://[::ffff:127.0.0.1]:8080/x'])(
      'does not allow %s, the address a listed name resolves to',
      (input) => {
        expect(refusalOf(withLocalhost, input)).toMatchObject({ failure: 'address' });
      },
    );

    it('does not allow other names, nor the listed name with a trailing dot', () => {
      expect(refusalOf(withLocalhost, 'http://localhost.:8080/x')).toMatchObject({ failure: 'port' });
      expect(withLocalhost.refusalOfAddresses('localhost.', ['127.0.0.1'])).toMatchObject({ failure: 'address' });
      expect(withLocalhost.refusalOfAddresses('vm', ['127.0.0.1'])?.message).toBe(
        'vm resolves to 127.0.0.1, which is a loopback address; only public addresses can be fetched unless the host is listed in REMOTE_FETCH_ALLOW_HOSTS.',
      );
    });

    it('compares IP addresses listed on purpose in their normalized form', () => {
      const policy = new OutboundPolicy(['10.0.0.5', '[::1]']);
      expect(refusalOf(policy, 'http://10.0.0.5:9000/x')).toBeUndefined();
      expect(refusalOf(policy, 'http://167772165:9000/x')).toBeUndefined();
      expect(refusalOf(policy, 'http://[::1]:9000/x')).toBeUndefined();
      expect(refusalOf(policy, 'http://10.0.0.6:9000/x')).toMatchObject({ failure: 'address' });
    });
  });

  describe('addresses a host name resolves to', () => {
    it('refuses them all when any one is not public', () => {
      expect(strict.refusalOfAddresses('mixed.example', ['93.184.216.34', '10.0.0.1'])).toMatchObject({
        failure: 'address',
        details: { address: '10.0.0.1' },
      });
    });

    it('accepts public addresses only', () => {
      expect(strict.refusalOfAddresses('example.com', ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'])).toBeUndefined();
    });

    it('treats an empty answer as unresolved', () => {
      expect(strict.refusalOfAddresses('nothing.example', [])).toMatchObject({ failure: 'unreachable', retryable: true });
    });
  });
});
