import { createServer, type IncomingMessage, request as httpRequest, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { lingeringClose } from '../../apps/api/src/common/lingering-close';

/** Set on the answers the balancer makes itself (502), with the upstream's error code: the api failed, not the balancer. */
export const PROXY_ERROR_HEADER = 'x-round-robin-proxy-error';

/**
 * A minimal load balancer for tests: each request goes to the next upstream in
 * turn, bodies and answers streamed both ways; a client that goes away takes
 * its upstream request with it, as behind a real proxy.
 *
 * It behaves like nginx (without request buffering) where an upstream answers
 * before the whole body was sent — a refusal:
 * - it forwards a complete answer even when the upstream resets the connection
 *   after it, stops sending the body, and closes the upstream connection;
 * - it closes the client's connection as the api does (a lingering close), so
 *   the client reads that answer instead of a reset from the balancer;
 * - an upstream that fails before answering gets a 502 from the balancer,
 *   marked with {@link PROXY_ERROR_HEADER} and naming the error, and one that
 *   fails mid-answer cuts the client's connection: the api's faults stay
 *   visible, and are never mistaken for the balancer's.
 */
export async function startRoundRobinProxy(upstreams: string[]): Promise<{ baseUrl: string; host: string; close(): Promise<void> }> {
  let next = 0;
  const server: Server = createServer((clientRequest, clientResponse) => {
    const origin = upstreams[next++ % upstreams.length];
    let upstreamResponse: IncomingMessage | undefined;
    const upstream = httpRequest(
      new URL(clientRequest.url ?? '/', origin),
      { method: clientRequest.method, headers: clientRequest.headers, agent: false },
      (response) => {
        upstreamResponse = response;
        if (!clientRequest.complete) {
          // Answered before the whole body: the rest is not wanted upstream; read it off the client ourselves.
          clientRequest.unpipe(upstream);
          lingeringClose(clientRequest, clientResponse);
          // Only once the answer is read: destroying the upstream request drops what it has not passed on.
          response.once('end', () => upstream.destroy());
        }
        clientResponse.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(clientResponse);
      },
    );
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (upstreamResponse?.complete) return; // forwarded whole: what the upstream does afterwards is its business
      if (upstreamResponse || clientResponse.headersSent) {
        clientResponse.destroy();
        return;
      }
      const reason = error.code ?? error.message;
      const message = `round-robin-proxy: upstream ${origin} failed before answering: ${reason}`;
      if (!clientRequest.complete) {
        clientRequest.unpipe(upstream);
        lingeringClose(clientRequest, clientResponse);
      }
      clientResponse.writeHead(502, {
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(message),
        [PROXY_ERROR_HEADER]: reason,
      });
      clientResponse.end(message);
    });
    clientRequest.on('close', () => {
      if (!clientRequest.complete) upstream.destroy();
    });
    clientResponse.on('close', () => {
      if (!clientResponse.writableFinished) upstream.destroy();
    });
    // Headers go upstream at once, as nginx sends them, not with the first body byte: an upstream may answer before it.
    upstream.flushHeaders();
    clientRequest.pipe(upstream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
