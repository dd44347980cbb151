import { isIPv4, isIPv6 } from 'node:net';
import type { Request } from 'express';

/** Longest key kept for an address that is not an IP (only a trusted proxy's header can name one). */
const MAX_OTHER_LENGTH = 64;

/**
 * Who failed authentications are counted against: the socket's peer, or the
 * address trusted proxies name in `X-Forwarded-For` (`TRUST_PROXY_HOPS`,
 * Express's `trust proxy`: never a header a client could forge). IPv6 clients
 * are counted per /64, the smallest block a host is usually given: one host
 * can use any address in it.
 */
export function clientAddressOf(request: Request): string {
  return addressBlock(request.ip ?? request.socket.remoteAddress ?? 'unknown');
}

/** An IPv4 address as is (also when IPv4-mapped), an IPv6 address as its /64. */
export function addressBlock(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (mapped !== undefined && isIPv4(mapped)) return mapped;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address.slice(0, MAX_OTHER_LENGTH);
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, in lowercase hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [withoutZone = ''] = address.split('%');
  const groupsOf = (part: string | undefined): string[] => {
    if (!part) return [];
    const groups = part.split(':');
    const last = groups.at(-1) ?? '';
    if (!last.includes('.')) return groups;
    // An embedded IPv4 address is the last two groups.
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
    return [...groups.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };
  const [head, tail] = withoutZone.split('::');
  const headGroups = groupsOf(head);
  const tailGroups = groupsOf(tail);
  const zeros = tail === undefined ? [] : Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => '0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16).toString(16));
}
