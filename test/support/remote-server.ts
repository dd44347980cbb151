import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface RemoteServer {
  readonly port: number;
  /** `http://{host}:{port}{path}`; `host` is 127.0.0.1 unless given (e.g. `localhost`). */
  url(path: string, host?: string): string;
  /** Every request that reached the server, in order, with its body. */
  readonly requests: SeenRequest[];
  /** Paths requested so far. */
  paths(): string[];
  /** Ends every connection, including responses left hanging on purpose, and stops listening. */
  close(): Promise<void>;
}

export type RemoteHandler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => void;

/**
 * A real HTTP server on 127.0.0.1 (an ephemeral port) standing in for a
 * remote host: what remote import and other outbound requests talk to in
 * tests. The handler sees each request after its body has been read.
 */
export async function startRemoteServer(handler: RemoteHandler): Promise<RemoteServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(parts);
      requests.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
      handler(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path, host = '127.0.0.1') => `http://${host}:${port}${path}`,
    requests,
    paths: () => requests.map((request) => request.path),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (one the system just handed out and took back). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Writes `bytes` in 256 KiB pieces, each after the previous one drained. */
export function writeInPieces(response: ServerResponse, bytes: Buffer, then: () => void): void {
  let at = 0;
  const next = () => {
    while (at < bytes.length) {
      const piece = bytes.subarray(at, at + 256 * 1024);
      at += piece.length;
      if (!response.write(piece)) return void response.once('drain', next);
    }
    then();
  };
  next();
}
