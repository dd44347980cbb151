import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { waitFor } from '../../../../test/support/processes';
import { socketUpload, type SocketUploadOptions } from '../../../../test/support/raw-http';
import { type LingerLimits, lingeringClose } from './lingering-close';

const KiB = 1024;
const MiB = 1024 * KiB;

interface ServerSide {
  /** When the refusal was decided (lingeringClose called), and when the socket closed, with what it had read. */
  refusedAt?: number;
  closedAt?: number;
  bytesRead?: number;
}

/**
 * A server that reads `readBytes` of the body (none: refuses on the headers), then answers 413 without reading
 * the rest — with a lingering close, or (`linger: false`) with the plain `Connection: close` it replaces.
 */
async function refusingServer(
  readBytes: number,
  limits: LingerLimits | false,
): Promise<{ baseUrl: string; side: ServerSide; server: Server }> {
  const side: ServerSide = {};
  const refuse = async (request: IncomingMessage, response: ServerResponse) => {
    let read = 0;
    if (readBytes > 0) {
      for await (const chunk of request.iterator({ destroyOnReturn: false })) {
        read += (chunk as Buffer).length;
        if (read >= readBytes) break;
      }
    }
    side.refusedAt = Date.now();
    if (limits) lingeringClose(request, response, limits);
    else response.setHeader('Connection', 'close');
    response.statusCode = 413;
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ refused: true }));
  };
  const server = createServer((request, response) => void refuse(request, response));
  server.on('connection', (socket: Socket) =>
    socket.once('close', () => {
      side.closedAt = Date.now();
      side.bytesRead = socket.bytesRead;
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, side, server };
}

describe('lingeringClose', () => {
  const servers: Server[] = [];
  const start = async (readBytes: number, limits: LingerLimits | false) => {
    const started = await refusingServer(readBytes, limits);
    servers.push(started.server);
    return started;
  };
  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }
  });

  // The client may see the close before the server's socket reports it.
  const closedOnServer = (side: ServerSide) => waitFor(() => side.closedAt !== undefined, 2_000, 'the server to close the connection');

  const upload = (baseUrl: string, options: Partial<SocketUploadOptions>) =>
    socketUpload({ baseUrl, path: '/upload', headers: {}, bodyBytes: Infinity, giveUpAfterMs: 15_000, ...options });

  // A client still sending after the answer: the rest of its body (well within the limits), paced.
  const sendsTheRest = { writeBytes: 32 * KiB, intervalMs: 5 };

  it.each([
    ['refused mid-body, chunked', 256 * KiB, { bodyBytes: 256 * KiB + 512 * KiB }],
    ['refused on the headers, Content-Length', 0, { bodyBytes: 512 * KiB, declaredLength: 100 * MiB }],
  ])('%s: reads the rest after the answer, then closes cleanly — the client reads the 413', async (_name, readBytes, options) => {
    const { baseUrl, side } = await start(readBytes, { maxBytes: 4 * MiB, maxMs: 10_000 });
    const outcome = await upload(baseUrl, { ...sendsTheRest, ...options });
    expect(outcome.response).toMatchObject({ status: 413, headers: { connection: 'close' }, body: { refused: true } });
    expect(outcome).toMatchObject({ ending: 'clean', bodyBytesSent: options.bodyBytes });
    expect(outcome.error).toBeUndefined();
    // It was still sending after the answer (the case at hand), and the close followed the body, not the time cap.
    expect(outcome.bodyBytesSentAfterResponse).toBeGreaterThan(0);
    await closedOnServer(side);
    expect(side.closedAt! - side.refusedAt!).toBeLessThan(5_000);
  });

  it('without it, the same client is reset (the failure it prevents)', async () => {
    const { baseUrl } = await start(256 * KiB, false);
    const outcome = await upload(baseUrl, { ...sendsTheRest, bodyBytes: 256 * KiB + 512 * KiB });
    expect(outcome.ending).toBe('reset');
    expect(outcome.bodyBytesSent).toBeLessThan(256 * KiB + 512 * KiB);
  });

  it('stops after maxBytes: a client that keeps sending as fast as it can is cut off, having read the 413', async () => {
    const limits = { maxBytes: 1 * MiB, maxMs: 10_000 };
    const { baseUrl, side } = await start(256 * KiB, limits);
    const outcome = await upload(baseUrl, {});
    expect(outcome.response).toMatchObject({ status: 413, body: { refused: true } });
    // The answer was read no later than the close (both can arrive in one read of the socket).
    expect(outcome.responseMs).toBeLessThanOrEqual(outcome.closedMs!);
    // The byte cap closed it, long before the time cap.
    await closedOnServer(side);
    expect(side.closedAt! - side.refusedAt!).toBeLessThan(limits.maxMs / 2);
    expect(side.bytesRead).toBeGreaterThanOrEqual(256 * KiB + limits.maxBytes);
    expect(side.bytesRead).toBeLessThan(256 * KiB + 3 * limits.maxBytes);
  });

  it('closes after maxMs a client that trickles its body forever (slow loris), having sent it the 413', async () => {
    const limits = { maxBytes: 64 * MiB, maxMs: 1_000 };
    const { baseUrl, side } = await start(0, limits);
    const outcome = await upload(baseUrl, { declaredLength: 100 * MiB, writeBytes: KiB, intervalMs: 20 });
    expect(outcome.response).toMatchObject({ status: 413, body: { refused: true } });
    expect(outcome.ending).not.toBe('given-up');
    await closedOnServer(side);
    const lingered = side.closedAt! - side.refusedAt!;
    expect(lingered).toBeGreaterThanOrEqual(limits.maxMs - 5); // timers may fire a millisecond early
    expect(lingered).toBeLessThan(limits.maxMs + 1_000);
  });

  it('stops at once when the client goes away', async () => {
    const { baseUrl, side } = await start(0, { maxBytes: 64 * MiB, maxMs: 10_000 });
    const outcome = await upload(baseUrl, { declaredLength: 100 * MiB, writeBytes: KiB, intervalMs: 20, giveUpAfterMs: 300 });
    expect(outcome.response).toMatchObject({ status: 413 });
    expect(outcome.ending).toBe('given-up');
    const goneAt = Date.now();
    await closedOnServer(side);
    expect(side.closedAt! - goneAt).toBeLessThan(1_000);
  });
});
