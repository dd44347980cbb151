import { createServer, request as httpRequest, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/**
 * A minimal load balancer for tests: each request goes to the next upstream in
 * turn, bodies and answers streamed both ways; a client that goes away takes
 * its upstream request with it, as behind a real proxy.
 */
export async function startRoundRobinProxy(upstreams: string[]): Promise<{ baseUrl: string; host: string; close(): Promise<void> }> {
  let next = 0;
  const server: Server = createServer((clientRequest, clientResponse) => {
    const target = new URL(clientRequest.url ?? '/', upstreams[next++ % upstreams.length]);
    const upstream = httpRequest(
      target,
      { method: clientRequest.method, headers: clientRequest.headers, agent: false },
      (upstreamResponse) => {
        clientResponse.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(clientResponse);
      },
    );
    upstream.on('error', () => clientResponse.destroy());
    clientRequest.on('close', () => {
      if (!clientRequest.complete) upstream.destroy();
    });
    clientResponse.on('close', () => {
      if (!clientResponse.writableFinished) upstream.destroy();
    });
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
