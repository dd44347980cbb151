import { isIP } from 'node:net';
import { nonPublicRangeOf } from './address-policy';
import { OutboundRequestError } from './outbound-errors';

/** The setting that names hosts exempt from the address and port rules (documented in the README). */
export const ALLOW_HOSTS_SETTING = 'REMOTE_FETCH_ALLOW_HOSTS';

/**
 * The default ports of http and https. A public URL has no business
 * elsewhere, and any other port would let a URL probe whatever else listens
 * on a public address (mail, Redis, admin consoles) or speak HTTP at a
 * protocol that is not HTTP. A host an operator allow-lists may use any port.
 */
export const DEFAULT_ALLOWED_PORTS: readonly number[] = [80, 443];

const SCHEMES = new Set(['http:', 'https:']);

/** `[::1]` → `::1`: URLs bracket IPv6 hosts, sockets and resolvers do not. */
export function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** A URL's host as the WHATWG parser normalizes it (lowercase, `2130706433` → `127.0.0.1`), without IPv6 brackets. */
function normalizedHost(name: string): string {
  try {
    return bareHost(new URL(`http://${name.includes(':') && !name.startsWith('[') ? `[${name}]` : name}`).hostname);
  } catch {
    return bareHost(name.toLowerCase());
  }
}

/**
 * The rules every outbound request obeys, for the URL of each hop and for
 * each address a connection is about to use:
 *
 * - http and https only, no credentials in the URL;
 * - a host named in the allow-list may be reached at any address and port;
 * - any other host must be on port 80 or 443 and every address it resolves
 *   to must be public (see {@link nonPublicRangeOf}).
 *
 * The allow-list compares host names as written in the URL (after the URL
 * standard's normalization), never the addresses they resolve to: allowing
 * `localhost` allows `http://localhost:8080/`, not `http://127.0.0.1:8080/`.
 */
export class OutboundPolicy {
  private readonly allowHosts: ReadonlySet<string>;
  private readonly ports: ReadonlySet<number>;

  constructor(allowHosts: readonly string[], ports: readonly number[] = DEFAULT_ALLOWED_PORTS) {
    this.allowHosts = new Set(allowHosts.map(normalizedHost));
    this.ports = new Set(ports);
  }

  /** Whether `hostname` (as a URL or a connection names it, brackets or not) is on the allow-list. */
  isAllowListed(hostname: string): boolean {
    return this.allowHosts.has(bareHost(hostname));
  }

  /** Parses `input` as an absolute URL, refusing what cannot be one. */
  parse(input: string | URL): URL {
    if (input instanceof URL) return new URL(input.href);
    try {
      return new URL(input);
    } catch {
      throw new OutboundRequestError('invalid-url', `"${abbreviated(input)}" is not a valid URL.`);
    }
  }

  /**
   * Refuses a URL before any connection: its scheme, credentials, port and,
   * when its host is an IP address, that address. A host name's addresses
   * are checked when the connection is made ({@link refusalOfAddresses}).
   */
  check(url: URL): void {
    if (!SCHEMES.has(url.protocol)) {
      throw new OutboundRequestError('scheme', `Only http and https URLs can be fetched, not ${url.protocol.slice(0, 20)} URLs.`);
    }
    if (url.username !== '' || url.password !== '') {
      throw new OutboundRequestError('credentials', 'URLs with a user name or password cannot be fetched.');
    }
    const host = bareHost(url.hostname);
    if (this.isAllowListed(host)) return;
    if (isIP(host) !== 0) {
      const refusal = this.refusalOfAddresses(host, [host]);
      if (refusal) throw refusal;
    }
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    if (!this.ports.has(port)) {
      throw new OutboundRequestError(
        'port',
        `Port ${port} is not allowed: only ports ${[...this.ports].join(' and ')} are, unless the host is listed in ${ALLOW_HOSTS_SETTING}.`,
        false,
        { port },
      );
    }
  }

  /**
   * The refusal for connecting to `hostname` at `addresses` (every address
   * it resolved to: one non-public address refuses them all, so a resolver
   * answer that mixes a public and a private address cannot pick the
   * private one later), or `undefined` when the connection may go ahead.
   */
  refusalOfAddresses(hostname: string, addresses: readonly string[]): OutboundRequestError | undefined {
    const host = bareHost(hostname);
    if (this.isAllowListed(host)) return undefined;
    if (addresses.length === 0) return new OutboundRequestError('unreachable', `${host} could not be resolved.`, true);
    for (const address of addresses) {
      const range = nonPublicRangeOf(address);
      if (range === undefined) continue;
      const subject = address === host ? `${address} is` : `${host} resolves to ${address}, which is`;
      return new OutboundRequestError(
        'address',
        `${subject} ${range}; only public addresses can be fetched unless the host is listed in ${ALLOW_HOSTS_SETTING}.`,
        false,
        { address },
      );
    }
    return undefined;
  }
}

/** Long inputs are cut so a refusal stays readable. */
export function abbreviated(text: string, length = 200): string {
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
