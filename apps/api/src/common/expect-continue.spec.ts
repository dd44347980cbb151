import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { type AddressInfo, connect } from 'node:net';
import { continueWhenBodyIsRead } from './expect-continue';
import { lingeringClose } from './lingering-close';

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

/** A server whose handler is the test's; the body is whatever the handler does with the request. */
async function serverWith(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handle);
  continueWhenBodyIsRead(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * Sends a request head with `Expect: 100-continue` for a body of `declared` bytes, then `body` once a
 * `100 Continue` arrives — or right away (`sendAtOnce`: a client that does not wait); resolves with everything
 * received once the server closes the connection.
 */
async function exchange(port: number, body: string, { sendAtOnce = false, declared = body.length } = {}): Promise<string> {
  const socket = connect({ host: '127.0.0.1', port });
  let received = '';
  let sent = sendAtOnce;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    if (!sent && received.startsWith(CONTINUE)) {
      sent = true;
      socket.write(body);
    }
  });
  socket.write(`POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: ${declared}\r\nConnection: close\r\n\r\n`);
  if (sendAtOnce) socket.write(body);
  await once(socket, 'close');
  return received;
}

async function readAll(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += (chunk as Buffer).toString();
  return text;
}

describe('continueWhenBodyIsRead', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('sends 100 Continue when the handler starts reading the body, and the body follows', async () => {
    const running = await serverWith((request, response) => void readAll(request).then((text) => response.end(`got ${text}`)));
    server = running.server;
    const received = await exchange(running.port, 'hello');
    expect(received.startsWith(`${CONTINUE}HTTP/1.1 200 OK`)).toBe(true);
    expect(received.endsWith('got hello')).toBe(true);
  });

  it('sends none before a refusal made without reading, also when the refused body is drained (lingering close)', async () => {
    const running = await serverWith((request, response) => {
      lingeringClose(request, response);
      response.statusCode = 401;
      response.end('refused');
    });
    server = running.server;
    const received = await exchange(running.port, 'hello');
    expect(received.startsWith('HTTP/1.1 401 Unauthorized')).toBe(true);
    expect(received).not.toContain('100 Continue');
  });

  it('sends none to a client that started sending its body without waiting', async () => {
    const running = await serverWith((request, response) => {
      // Read once part of the body has arrived (Node's parser buffers it in the request), and answer on that part.
      const readOnceArrived = () => {
        if (request.readableLength === 0) setImmediate(readOnceArrived);
        else request.once('data', (chunk: Buffer) => response.end(`got ${chunk.toString()}`));
      };
      readOnceArrived();
    });
    server = running.server;
    const received = await exchange(running.port, 'hello', { sendAtOnce: true, declared: 10 });
    expect(received.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(received.endsWith('got hello')).toBe(true);
  });
});
