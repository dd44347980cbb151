import { randomBytes } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { closedPort, type RemoteServer, startRemoteServer } from '../../../test/support/remote-server';
import { type Resolver } from './guarded-connector';
import { OutboundClient, type OutboundResponse } from './outbound-client';
import { OutboundRequestError } from './outbound-errors';

const FILE = randomBytes(100_000);
const CAP = 64 * 1024;
const MiB = 1024 * 1024;

async function bodyOf(response: OutboundResponse): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of response.body) parts.push(chunk);
  return Buffer.concat(parts);
}

async function failureOf(promise: Promise<unknown>): Promise<OutboundRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundRequestError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

/** A resolver that answers from a table, as a DNS server under someone else's control would. */
function fakeResolver(table: Record<string, string[]>): Resolver {
  return (hostname, options, callback) => {
    const addresses: LookupAddress[] = (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    if (addresses.length === 0)
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  };
}

describe('OutboundClient (real HTTP on 127.0.0.1)', () => {
  let server: RemoteServer;
  let allowLocalhost: OutboundClient;
  const clients: OutboundClient[] = [];
  const client = (options: ConstructorParameters<typeof OutboundClient>[0]) => {
    const made = new OutboundClient(options);
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    server = await startRemoteServer((request, response, body) => {
      const path = request.url ?? '';
      const redirect = (status: number, location: string) => response.writeHead(status, { location }).end();
      const hops = /^\/redirect\/(\d+)$/.exec(path);
      if (hops) return redirect(302, Number(hops[1]) === 0 ? '/file' : `/redirect/${Number(hops[1]) - 1}`);
      switch (path) {
        case '/file':
          return response.writeHead(200, { 'content-type': 'Image/PNG; charset=binary', 'content-length': FILE.length }).end(FILE);
        case '/chunked':
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          for (let at = 0; at < FILE.length; at += 16_384) response.write(FILE.subarray(at, at + 16_384));
          return response.end();
        case '/exactly-the-cap':
          response.writeHead(200);
          response.write(Buffer.alloc(CAP - 1));
          return response.end(Buffer.alloc(1));
        case '/over-the-cap':
          response.writeHead(200);
          response.write(Buffer.alloc(CAP));
          return response.end(Buffer.alloc(1));
        case '/announces-too-much':
          // Announces 10 GiB, sends a little, then waits: reading it would end in the idle timeout, not the cap.
          response.writeHead(200, { 'content-length': String(10 * 1024 * MiB) });
          return void response.write(Buffer.alloc(10));
        case '/stalls-in-body':
          response.writeHead(200, { 'content-length': '1000' });
          return void response.write(Buffer.alloc(100));
        case '/stalls-before-headers':
          return;
        case '/truncated':
          response.writeHead(200, { 'content-length': '1000' });
          return void response.write(Buffer.alloc(500), () => response.socket?.destroy());
        case '/to-loopback':
          return redirect(302, server.url('/reached-through-redirect'));
        case '/to-ftp':
          return redirect(301, 'ftp://example.com/file');
        case '/to-nowhere':
          return redirect(302, 'http://[nope');
        case '/see-other':
          return redirect(303, '/echo');
        case '/temporary':
          return redirect(307, '/echo');
        case '/to-other-origin':
          return redirect(307, server.url('/echo', 'localhost'));
        case '/echo':
          return response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ method: request.method, body: body.toString(), authorization: request.headers.authorization ?? null }));
        case '/missing':
          return response.writeHead(404).end('no');
        case '/unavailable':
          return response.writeHead(503).end('later');
        case '/gzipped':
          return response.writeHead(200, { 'content-encoding': 'gzip' }).end(Buffer.alloc(20));
        default:
          return response.writeHead(200).end('secret');
      }
    });
    allowLocalhost = client({ allowHosts: ['localhost'] });
  });

  afterAll(async () => {
    await Promise.all(clients.map((made) => made.close()));
    await server.close();
  });

  it('downloads from an allow-listed host, with the claimed type as a hint and the announced length', async () => {
    const response = await allowLocalhost.get(server.url('/file', 'localhost'), { maxBytes: MiB });
    expect(response).toMatchObject({ status: 200, contentType: 'image/png', contentLength: FILE.length, redirects: 0 });
    expect((await bodyOf(response)).equals(FILE)).toBe(true);
    expect(server.requests.at(-1)?.headers).toMatchObject({ 'accept-encoding': 'identity', 'user-agent': 'Hangar' });
  });

  it('downloads a body without a Content-Length', async () => {
    const response = await allowLocalhost.get(server.url('/chunked', 'localhost'), { maxBytes: MiB });
    expect(response.contentLength).toBeUndefined();
    expect((await bodyOf(response)).equals(FILE)).toBe(true);
  });

  it.each(['http://127.0.0.1:{port}/secret', 'http://2130706433:{port}/secret', 'http://[::ffff:127.0.0.1]:{port}/secret'])(
    'refuses %s although it is where the allow-listed localhost points, and sends nothing',
    async (template) => {
      const before = server.requests.length;
      const refusal = await failureOf(allowLocalhost.get(template.replace('{port}', String(server.port)), { maxBytes: MiB }));
      expect(refusal).toMatchObject({ failure: 'address', refused: true, retryable: false });
      expect(server.requests.length).toBe(before);
    },
  );

  it('checks the addresses a name resolves to when connecting (a name not on the allow-list that resolves to loopback)', async () => {
    const portAllowed = client({ allowHosts: [], ports: [server.port] });
    const before = server.requests.length;
    const refusal = await failureOf(portAllowed.get(server.url('/secret', 'localhost'), { maxBytes: MiB }));
    expect(refusal.failure).toBe('address');
    expect(refusal.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is a loopback address;/);
    // The same check guards TLS connections: refused before any handshake.
    await expect(failureOf(portAllowed.get(`https://localhost:${server.port}/secret`, { maxBytes: MiB }))).resolves.toMatchObject({
      failure: 'address',
    });
    expect(server.requests.length).toBe(before);
  });

  it('refuses every address of a name when one of them is private (a resolver that mixes or rebinds)', async () => {
    const rebinding = client({
      allowHosts: [],
      ports: [server.port],
      resolve: fakeResolver({ 'images.example': ['93.184.216.34', '127.0.0.1'], 'cdn.example': ['::ffff:127.0.0.1'] }),
    });
    const before = server.requests.length;
    await expect(failureOf(rebinding.get(`http://images.example:${server.port}/secret`, { maxBytes: MiB }))).resolves.toMatchObject({
      failure: 'address',
      message: expect.stringMatching(/^images\.example resolves to 127\.0\.0\.1, which is a loopback address;/),
    });
    await expect(failureOf(rebinding.get(`http://cdn.example:${server.port}/secret`, { maxBytes: MiB }))).resolves.toMatchObject({
      failure: 'address',
      message: expect.stringMatching(/^cdn\.example resolves to ::ffff:127\.0\.0\.1, which is an IPv4-mapped IPv6 address;/),
    });
    await expect(failureOf(rebinding.get(`http://unknown.example:${server.port}/`, { maxBytes: MiB }))).resolves.toMatchObject({
      failure: 'unreachable',
      message: 'unknown.example could not be resolved.',
      retryable: true,
    });
    expect(server.requests.length).toBe(before);
  });

  describe('redirects', () => {
    it('follows up to 5, each a new checked request', async () => {
      const before = server.requests.length;
      const response = await allowLocalhost.get(server.url('/redirect/4', 'localhost'), { maxBytes: MiB });
      expect(response).toMatchObject({ status: 200, redirects: 5 });
      expect(response.url.pathname).toBe('/file');
      expect((await bodyOf(response)).equals(FILE)).toBe(true);
      expect(server.requests.length - before).toBe(6);
    });

    it('gives up on the sixth', async () => {
      const before = server.requests.length;
      const refusal = await failureOf(allowLocalhost.get(server.url('/redirect/5', 'localhost'), { maxBytes: MiB }));
      expect(refusal).toMatchObject({ failure: 'redirects', message: 'The URL redirected more than 5 times.', refused: true });
      expect(server.requests.length - before).toBe(6);
    });

    it('refuses a redirect from an allowed host to loopback, before it is requested', async () => {
      const refusal = await failureOf(allowLocalhost.get(server.url('/to-loopback', 'localhost'), { maxBytes: MiB }));
      expect(refusal.failure).toBe('address');
      expect(refusal.message).toBe(
        `After 1 redirect, to ${server.url('/reached-through-redirect')}: 127.0.0.1 is a loopback address; only public addresses can be fetched unless the host is listed in REMOTE_FETCH_ALLOW_HOSTS.`,
      );
      expect(server.paths()).not.toContain('/reached-through-redirect');
    });

    it('refuses a redirect to another scheme, and one to no valid URL', async () => {
      await expect(failureOf(allowLocalhost.get(server.url('/to-ftp', 'localhost'), { maxBytes: MiB }))).resolves.toMatchObject({
        failure: 'scheme',
        message: 'After 1 redirect, to ftp://example.com/file: Only http and https URLs can be fetched, not ftp: URLs.',
      });
      await expect(failureOf(allowLocalhost.get(server.url('/to-nowhere', 'localhost'), { maxBytes: MiB }))).resolves.toMatchObject({
        failure: 'redirect-location',
      });
    });

    it('turns a POST into a GET without body on 303, repeats it on 307', async () => {
      const post = { method: 'POST' as const, body: 'payload', headers: { 'content-type': 'text/plain' }, maxBytes: MiB };
      const seeOther = await allowLocalhost.request(server.url('/see-other', 'localhost'), post);
      expect(JSON.parse((await bodyOf(seeOther)).toString())).toEqual({ method: 'GET', body: '', authorization: null });
      const temporary = await allowLocalhost.request(server.url('/temporary', 'localhost'), post);
      expect(JSON.parse((await bodyOf(temporary)).toString())).toEqual({ method: 'POST', body: 'payload', authorization: null });
    });

    it('keeps credentials on the same origin and drops them for another', async () => {
      const both = client({ allowHosts: ['localhost', '127.0.0.1'] });
      const init = { method: 'POST' as const, body: 'x', headers: { authorization: 'Bearer secret' }, maxBytes: MiB };
      const sameOrigin = await both.request(server.url('/temporary'), init);
      expect(JSON.parse((await bodyOf(sameOrigin)).toString())).toMatchObject({ authorization: 'Bearer secret' });
      const otherOrigin = await both.request(server.url('/to-other-origin'), init);
      expect(JSON.parse((await bodyOf(otherOrigin)).toString())).toMatchObject({ method: 'POST', authorization: null });
    });
  });

  describe('the byte cap', () => {
    it('accepts a body of exactly the cap', async () => {
      const response = await allowLocalhost.get(server.url('/exactly-the-cap', 'localhost'), { maxBytes: CAP });
      expect((await bodyOf(response)).length).toBe(CAP);
    });

    it('refuses an announced length over the cap before reading the body', async () => {
      await expect(failureOf(allowLocalhost.get(server.url('/announces-too-much', 'localhost'), { maxBytes: CAP }))).resolves.toMatchObject(
        {
          failure: 'too-large',
          errorId: 'RequestEntityTooLarge',
          message: `localhost:${server.port} announced ${10 * 1024 * MiB} bytes, more than the limit of ${CAP} bytes.`,
        },
      );
    });

    it('fails a body without Content-Length as soon as it passes the cap (an error, not a short body)', async () => {
      const response = await allowLocalhost.get(server.url('/over-the-cap', 'localhost'), { maxBytes: CAP });
      await expect(failureOf(bodyOf(response))).resolves.toMatchObject({
        failure: 'too-large',
        message: `localhost:${server.port} sent more than the limit of ${CAP} bytes.`,
      });
    });
  });

  describe('timeouts and broken connections', () => {
    it('fails a body that stops arriving (idle timeout)', async () => {
      const impatient = client({ allowHosts: ['localhost'], idleTimeoutMs: 300 });
      const response = await impatient.get(server.url('/stalls-in-body', 'localhost'), { maxBytes: MiB });
      await expect(failureOf(bodyOf(response))).resolves.toMatchObject({
        failure: 'timeout',
        message: `localhost:${server.port} stopped sending the response for 0.3 s.`,
        retryable: true,
      });
    });

    it('fails a server that never answers', async () => {
      const impatient = client({ allowHosts: ['localhost'], idleTimeoutMs: 300 });
      await expect(failureOf(impatient.get(server.url('/stalls-before-headers', 'localhost'), { maxBytes: MiB }))).resolves.toMatchObject({
        failure: 'timeout',
        message: `localhost:${server.port} did not answer within 0.3 s.`,
      });
    });

    it('fails a body shorter than announced (the connection closed midway)', async () => {
      const response = await allowLocalhost.get(server.url('/truncated', 'localhost'), { maxBytes: MiB });
      await expect(failureOf(bodyOf(response))).resolves.toMatchObject({
        failure: 'unreachable',
        message: `The connection to localhost:${server.port} broke before the response was complete.`,
      });
    });

    it('fails a refused connection, as worth retrying', async () => {
      const port = await closedPort();
      await expect(failureOf(allowLocalhost.get(`http://localhost:${port}/file`, { maxBytes: MiB }))).resolves.toMatchObject({
        failure: 'unreachable',
        message: `localhost:${port} refused the connection.`,
        retryable: true,
      });
    });

    it('stops when the caller cancels', async () => {
      const controller = new AbortController();
      const pending = allowLocalhost.get(server.url('/stalls-before-headers', 'localhost'), { maxBytes: MiB, signal: controller.signal });
      controller.abort();
      await expect(failureOf(pending)).resolves.toMatchObject({ failure: 'aborted' });
    });
  });

  describe('responses that are not the file', () => {
    it.each([
      ['/missing', 404, 'Not Found', false],
      ['/unavailable', 503, 'Service Unavailable', true],
    ])('refuses %s (%i)', async (path, status, phrase, retryable) => {
      await expect(failureOf(allowLocalhost.get(server.url(path, 'localhost'), { maxBytes: MiB }))).resolves.toMatchObject({
        failure: 'status',
        message: `localhost:${server.port} answered ${status} ${phrase}.`,
        retryable,
        details: { status },
      });
    });

    it('refuses an encoded body it did not ask for', async () => {
      await expect(failureOf(allowLocalhost.get(server.url('/gzipped', 'localhost'), { maxBytes: MiB }))).resolves.toMatchObject({
        failure: 'encoding',
      });
    });
  });
});
