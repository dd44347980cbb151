import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { buildConnector } from 'undici';
import { bareHost, type OutboundPolicy } from './outbound-policy';

/** A resolver with `dns.lookup`'s signature (tests give their own). */
export type Resolver = LookupFunction;

/**
 * A `dns.lookup` for sockets that resolves every address of `hostname` and
 * hands them on only when the policy accepts all of them. Node asks with
 * `{ all: true }` when it races addresses (autoSelectFamily), otherwise for
 * one address; both are answered from the same checked list. Since the
 * socket connects to exactly what this returns, there is no gap between
 * the check and the use for a rebinding DNS server to slip through.
 */
export function guardedLookup(policy: OutboundPolicy, resolve: Resolver = dnsLookup): Resolver {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, resolved) => {
      if (error) return callback(error, '', 0);
      const addresses: LookupAddress[] = Array.isArray(resolved) ? resolved : [{ address: resolved, family: isIP(resolved) }];
      const refusal = policy.refusalOfAddresses(
        hostname,
        addresses.map((entry) => entry.address),
      );
      if (refusal) return callback(refusal, '', 0);
      if (options.all) return callback(null, addresses);
      const [first] = addresses as [LookupAddress];
      callback(null, first.address, first.family);
    });
  };
}

/**
 * The connect function of an undici dispatcher that refuses, at connect
 * time, every address the policy does not allow: an IP address in the URL
 * (which sockets never look up) is checked here, a host name's addresses in
 * {@link guardedLookup}. Allow-listed hosts connect without the check.
 * Each new connection (every hop, every retry) goes through it. `build` is
 * undici's `buildConnector`, passed in because undici is loaded on first use
 * (OutboundClient): the api, which makes no outbound request, never loads it.
 */
export function guardedConnector(
  policy: OutboundPolicy,
  { timeoutMs, resolve }: { timeoutMs: number; resolve?: Resolver },
  build: typeof buildConnector,
): buildConnector.connector {
  const checked = build({ timeout: timeoutMs, lookup: guardedLookup(policy, resolve) });
  const trusted = build({ timeout: timeoutMs, ...(resolve ? { lookup: resolve } : {}) });
  return (options, callback) => {
    const host = bareHost(options.hostname);
    if (policy.isAllowListed(host)) return trusted(options, callback);
    if (isIP(host) !== 0) {
      const refusal = policy.refusalOfAddresses(host, [host]);
      // Asynchronously, as a socket error would be: undici is in the middle of its own bookkeeping.
      if (refusal) return process.nextTick(() => callback(refusal, null));
    }
    checked(options, callback);
  };
}
