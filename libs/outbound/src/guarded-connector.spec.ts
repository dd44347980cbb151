import type { LookupAddress } from 'node:dns';
import type { Socket } from 'node:net';
import { buildConnector } from 'undici';
import { guardedConnector, guardedLookup, type Resolver } from './guarded-connector';
import { OutboundPolicy } from './outbound-policy';

const table: Record<string, LookupAddress[]> = {
  'public.example': [
    { address: '93.184.216.34', family: 4 },
    { address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 },
  ],
  'mixed.example': [
    { address: '93.184.216.34', family: 4 },
    { address: 'fd00::1', family: 6 },
  ],
  'internal.example': [{ address: '10.0.0.7', family: 4 }],
};
const resolver: Resolver = (hostname, options, callback) => {
  const addresses = table[hostname] ?? [];
  if (options.all) callback(null, addresses);
  else callback(null, addresses[0]!.address, addresses[0]!.family);
};

function lookUp(lookup: Resolver, hostname: string, all: boolean): Promise<{ error: Error | null; result: unknown }> {
  return new Promise((resolve) =>
    lookup(hostname, { all }, (error, address, family) => resolve({ error, result: all ? address : { address, family } })),
  );
}

describe('guardedLookup', () => {
  const lookup = guardedLookup(new OutboundPolicy(['internal.example']), resolver);

  it('hands on every address when all are public, as a list or as the first', async () => {
    expect(await lookUp(lookup, 'public.example', true)).toEqual({ error: null, result: table['public.example'] });
    expect(await lookUp(lookup, 'public.example', false)).toEqual({ error: null, result: { address: '93.184.216.34', family: 4 } });
  });

  it.each([true, false])('refuses all addresses when one is private (all: %s)', async (all) => {
    const { error } = await lookUp(lookup, 'mixed.example', all);
    expect(error).toMatchObject({ failure: 'address', details: { address: 'fd00::1' } });
  });

  it('hands on the private addresses of an allow-listed name', async () => {
    expect(await lookUp(lookup, 'internal.example', true)).toEqual({ error: null, result: table['internal.example'] });
  });
});

describe('guardedConnector', () => {
  const connect = guardedConnector(new OutboundPolicy([]), { timeoutMs: 1000, resolve: resolver }, buildConnector);

  function connectTo(hostname: string): Promise<Error | Socket | null> {
    return new Promise((resolve) =>
      connect({ hostname, protocol: 'http:', port: '80' }, (error, socket) => {
        socket?.destroy();
        resolve(error ?? socket);
      }),
    );
  }

  // The URL check refuses these first; the connector refuses them again, whatever asked for the connection.
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['0.0.0.0', 'an unspecified address'],
    ['::ffff:7f00:1', 'an IPv4-mapped IPv6 address'],
    ['[::1]', 'a loopback address'],
    ['169.254.169.254', 'a link-local address'],
  ])('refuses a connection to the address %s itself', async (hostname, range) => {
    expect(await connectTo(hostname)).toMatchObject({ failure: 'address', message: expect.stringContaining(`is ${range};`) });
  });

  it('refuses a connection to a name that resolves to a private address', async () => {
    expect(await connectTo('internal.example')).toMatchObject({
      failure: 'address',
      message: expect.stringMatching(/^internal\.example resolves to 10\.0\.0\.7, which is a private address;/),
    });
  });
});
