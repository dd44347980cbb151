import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { JsonLogger, type LogEntry } from '@hangar/observability';
import { createApiApp } from '../apps/api/src/bootstrap';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, deliveryPathOf, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { newSpace, newUser } from './support/factories';
import { waitFor } from './support/processes';
import { testConfig } from './support/test-env';
import { startWorker } from './support/worker-harness';

/** Everything a socket received until it closed, split at the end of the (first) head. */
interface Received {
  head: string;
  body: Buffer;
}

function split(bytes: Buffer): Received {
  const end = bytes.indexOf('\r\n\r\n');
  return end < 0
    ? { head: bytes.toString('latin1'), body: Buffer.alloc(0) }
    : { head: bytes.subarray(0, end).toString('latin1'), body: bytes.subarray(end + 4) };
}

/** Collects what `socket` receives; `closed` resolves with all of it once the connection is gone. */
function collect(socket: Socket): { bytes: () => Buffer; closed: Promise<Buffer> } {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined); // a reset is a way to end, not a failure of the test
  return {
    bytes: () => Buffer.concat(chunks),
    closed: new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks)))),
  };
}

/**
 * Issue 9, items 7 and 8: what Node would do on its own at the HTTP level —
 * write an error into a body in progress, answer bare 400 and 417, log a
 * client's cancelled download as a server error — is done the Contentful way.
 */
describe('protocol-level errors', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext;
  let port: number;
  let file: Buffer;
  let filePath: string;
  const logged: LogEntry[] = [];

  beforeAll(async () => {
    const config = testConfig();
    // Every entry, debug included, kept for the assertions.
    const logger = new JsonLogger('api-test', 'debug', {
      write: (text) => logged.push(JSON.parse(text) as LogEntry),
      isTerminal: () => false,
    });
    // Nest's loggers write through the logger of the app created last: the worker first, then the api.
    worker = await startWorker();
    app = await createApiApp(config, logger);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;

    const baseUrl = `http://127.0.0.1:${port}`;
    const user = await newUser(baseUrl);
    const c: AssetClient = { baseUrl, auth: user.auth, spaceId: await newSpace(baseUrl, user) };
    // Far more than the kernel buffers of a connection whose client stops reading: the response cannot finish alone.
    file = randomBytes(16 * 1024 * 1024);
    const uploadId = await uploadBytes(c, file);
    const asset = await createAsset(c, { file: { 'en-US': fileField(uploadId, 'big.bin', 'application/octet-stream') } }).expect(201);
    await processLocale(c, asset.body.sys.id, 'en-US', 1).expect(204);
    const { body } = await waitForProcessing(c, asset.body.sys.id, 'en-US', 60_000);
    filePath = deliveryPathOf(body.fields.file?.['en-US']?.url);
  }, 120_000);
  afterAll(async () => {
    await worker.close();
    await app.close();
  });

  /**
   * Opens a download of the big file and stops reading as soon as its head and some of its body arrived (in the
   * 'data' listener itself, so no more is read): the response stays in progress, held back by the kernel buffers.
   */
  async function startDownload(requestId = 'download'): Promise<{ socket: Socket; received: ReturnType<typeof collect> }> {
    const socket = connect(port, '127.0.0.1');
    const received = collect(socket);
    const started = new Promise<void>((resolve) => {
      const stopOnceStarted = () => {
        if (split(received.bytes()).body.length === 0) return;
        socket.pause();
        socket.off('data', stopOnceStarted);
        resolve();
      };
      socket.on('data', stopOnceStarted);
    });
    socket.write(`GET ${filePath} HTTP/1.1\r\nHost: hangar.test\r\nX-Contentful-Request-Id: ${requestId}\r\n\r\n`);
    await started;
    return { socket, received };
  }

  it('cuts a download whose client sends garbage behind its request, never writing an error into the body', async () => {
    const { socket, received } = await startDownload();
    const server: Server = app.getHttpServer();
    // Registered after the api's own listener, so it runs once the api has dealt with the garbage.
    const handled = new Promise<void>((resolve) => server.once('clientError', () => resolve()));
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    await handled;
    socket.resume();

    const { head, body } = split(await received.closed);
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(body.includes('HTTP/1.1')).toBe(false);
    expect(body.length).toBeLessThan(file.length);
    expect(body.equals(file.subarray(0, body.length))).toBe(true);
  });

  it('logs a download the client cancelled at debug level, never as a server error', async () => {
    const requestId = `cancelled-download-${Date.now()}`;
    const { socket } = await startDownload(requestId);
    socket.destroy();
    const ofThisRequest = () => logged.filter((entry) => entry.requestId === requestId);
    await waitFor(
      () => ofThisRequest().some((entry) => entry.context === 'ExceptionFilter'),
      10_000,
      'the api to notice the cancelled download',
    );
    expect(ofThisRequest().filter((entry) => entry.level === 'error' || entry.stack !== undefined)).toEqual([]);
    expect(ofThisRequest().find((entry) => entry.context === 'ExceptionFilter')).toMatchObject({ level: 'debug', path: filePath });
    // The access log still has its one line for the request, saying the answer was cut short.
    await waitFor(() => ofThisRequest().some((entry) => entry.msg === 'request'), 10_000, 'the access-log line');
    expect(ofThisRequest().filter((entry) => entry.msg === 'request')).toEqual([
      expect.objectContaining({ level: 'info', method: 'GET', path: filePath, status: 200, aborted: true }),
    ]);
  });

  /** Sends `request` as it is and reads the answer until the server closes. */
  async function exchange(request: string): Promise<{ status: number; head: string; body: unknown }> {
    const socket = connect(port, '127.0.0.1');
    const received = collect(socket);
    socket.write(request);
    const { head, body } = split(await received.closed);
    return { status: Number(head.split(' ')[1]), head, body: JSON.parse(body.toString('utf8')) as unknown };
  }

  // (Node's http client sends the head at once when there is an Expect header, so supertest cannot send these.)
  it.each([
    ['waiting to send its body', 'POST /spaces HTTP/1.1\r\nHost: hangar.test\r\nExpect: something-else\r\nContent-Length: 10\r\n\r\n'],
    [
      'sending its body anyway',
      'POST /spaces HTTP/1.1\r\nHost: hangar.test\r\nExpect: something-else\r\nContent-Length: 10\r\n\r\n{"name":1}',
    ],
    ['without a body', 'GET /spaces HTTP/1.1\r\nHost: hangar.test\r\nExpect: something-else\r\n\r\n'],
  ])('answers an expectation other than 100-continue with a Contentful-shaped 417 (a client %s)', async (_case, request) => {
    const answer = await exchange(request);
    expect(answer.status).toBe(417);
    expect(answer.head).toMatch(/\r\nContent-Type: application\/vnd\.contentful\.management\.v1\+json/i);
    expect(answer.head).toMatch(/\r\nX-Contentful-Request-Id: \S+/i);
    expect(answer.body).toMatchObject({ sys: { type: 'Error', id: 'ExpectationFailed' }, message: expect.any(String) });
  });

  it('answers an HTTP/1.1 request without Host with a Contentful-shaped 400, and serves HTTP/1.0 without one', async () => {
    const answer = await exchange('GET /health HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.head).toMatch(/\r\nContent-Type: application\/vnd\.contentful\.management\.v1\+json/i);
    expect(answer.body).toMatchObject({ sys: { type: 'Error', id: 'BadRequest' }, message: expect.stringContaining('Host') });

    const old = await exchange('GET /health HTTP/1.0\r\n\r\n');
    expect(old.status).toBe(200);
  });
});

/** Node's total request timeout is off (uploads may take hours), so a JSON body's pauses are bounded by the api itself. */
describe('a JSON body that stops arriving', () => {
  let api: RunningApi;

  beforeAll(async () => {
    api = await startApi({ UPLOAD_IDLE_TIMEOUT_SECONDS: '1' });
  });
  afterAll(async () => {
    await api.close();
  });

  it('is answered 408 RequestTimeout once it has sent nothing for the idle limit, and the connection closes', async () => {
    const user = await newUser(api.baseUrl);
    const { port } = new URL(api.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    const received = collect(socket);
    const started = Date.now();
    // Half of a body, then silence.
    socket.write(
      `POST /spaces HTTP/1.1\r\nHost: hangar.test\r\nAuthorization: ${user.auth.Authorization}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 20\r\n\r\n{"name":"ha`,
    );
    const { head, body } = split(await received.closed);
    // (Not before the limit: timers may fire a millisecond early by Date.now's clock.)
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(head).toMatch(/\r\nContent-Type: application\/vnd\.contentful\.management\.v1\+json/i);
    expect(JSON.parse(body.toString('utf8'))).toMatchObject({
      sys: { type: 'Error', id: 'RequestTimeout' },
      details: { idleTimeoutSeconds: 1 },
    });
  });

  it('is parsed however slowly it comes, as long as it keeps coming', async () => {
    const user = await newUser(api.baseUrl);
    const { port } = new URL(api.baseUrl);
    const socket = connect(Number(port), '127.0.0.1');
    const received = collect(socket);
    const body = JSON.stringify({ name: 'slow but steady' });
    socket.write(
      `POST /spaces HTTP/1.1\r\nHost: hangar.test\r\nAuthorization: ${user.auth.Authorization}\r\nConnection: close\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    // Six pieces 0.3 s apart: 1.5 s in all, longer than the 1 s idle limit, never idle that long.
    const pieces = Array.from({ length: 6 }, (_, index) => body.slice(index * 5, index === 5 ? undefined : index * 5 + 5));
    for (const [index, piece] of pieces.entries()) {
      if (index > 0) await new Promise((resolve) => setTimeout(resolve, 300));
      socket.write(piece);
    }
    const { head } = split(await received.closed);
    expect(head).toMatch(/^HTTP\/1\.1 201 /);
  });
});
