import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface RawUploadOptions {
  baseUrl: string;
  path: string;
  headers: Record<string, string>;
  /** Chunks written one by one, `delayMs` apart (chunked encoding unless a Content-Length header is given). */
  chunks: Buffer[];
  delayMs?: number;
  /** Destroy the socket after writing this many chunks, without ending the body. */
  abortAfterChunks?: number;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // not JSON: keep the text
  }
}

/**
 * Sends a body chunk by chunk over a real socket and resolves with the response
 * (if any arrives), even when the server answers before the body is done. It
 * rejects when the connection fails before a whole response was read: a reset
 * that swallowed the answer is a failure, not a flake to wait out.
 */
export async function rawUpload(options: RawUploadOptions): Promise<RawResponse | 'aborted'> {
  const url = new URL(options.path, options.baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: options.headers, agent: false });
    let settled = false;
    let responding = false;
    const settle = (value: RawResponse | 'aborted') => {
      if (!settled) {
        settled = true;
        resolve(value);
      }
    };
    const fail = (error: Error) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    };
    req.on('response', (res) => {
      responding = true;
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => parts.push(chunk));
      res.on('end', () =>
        settle({ status: res.statusCode ?? 0, headers: res.headers, body: parseBody(Buffer.concat(parts).toString('utf8')) }),
      );
      // Cut in the middle of the response ('aborted' comes with 'error' only when listened to).
      res.on('error', (error) => fail(new Error(`the response (${res.statusCode}) was cut: ${error.message}`)));
    });
    // Writing after the server answered and closed is expected in these tests: once a response is being read,
    // its own events decide. Before any response, an error is the outcome (unless we aborted on purpose).
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (options.abortAfterChunks === undefined && !responding) fail(error);
    });
    const write = async () => {
      for (const [index, chunk] of options.chunks.entries()) {
        if (settled || req.destroyed) return;
        if (options.abortAfterChunks !== undefined && index === options.abortAfterChunks) {
          req.destroy();
          settle('aborted');
          return;
        }
        req.write(chunk);
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      }
      if (options.abortAfterChunks !== undefined) {
        req.destroy();
        settle('aborted');
        return;
      }
      req.end();
    };
    void write();
  });
}

export interface SocketUploadOptions {
  baseUrl: string;
  path: string;
  headers: Record<string, string>;
  /** The Content-Length to declare; without it the body is sent chunked. */
  declaredLength?: number;
  /**
   * Body bytes to send, then end the body (chunked: the last chunk) and half-close;
   * `Infinity` keeps sending until the server closes the connection.
   */
  bodyBytes: number;
  /** Bytes per write (default 64 KiB); each write waits until the previous one reached the kernel. */
  writeBytes?: number;
  /** A pause between writes: a slow client. */
  intervalMs?: number;
  /** Pause only once this many body bytes were sent (default 0): a fast start, then a slow tail. */
  pausesFromByte?: number;
  /** Destroy the socket ourselves if the server has not closed the connection by then. */
  giveUpAfterMs: number;
}

export interface SocketUploadOutcome {
  /** The response, when a whole one (by its Content-Length) was read. */
  response?: RawResponse;
  /** Milliseconds from the start until the whole response was read. */
  responseMs?: number;
  /** Milliseconds from the start until the connection closed; undefined when we gave up first. */
  closedMs?: number;
  /**
   * How the connection ended: 'clean' (the server's FIN, no error), 'reset' (ECONNRESET, EPIPE…: see `error`),
   * or 'given-up' (the server kept it open past `giveUpAfterMs`).
   */
  ending: 'clean' | 'reset' | 'given-up';
  error?: string;
  /** Body bytes the kernel accepted, and how many of those after the whole response was read. */
  bodyBytesSent: number;
  bodyBytesSentAfterResponse: number;
}

/**
 * An HTTP/1.1 upload written by hand over a plain TCP socket, which keeps
 * sending whatever the server answers, and reports how the connection ended:
 * what Node's http client hides (a reset after the response, the exact
 * moment of the close) is what these tests are about.
 */
export async function socketUpload(options: SocketUploadOptions): Promise<SocketUploadOutcome> {
  const url = new URL(options.path, options.baseUrl);
  const socket = connect({ host: url.hostname, port: Number(url.port), allowHalfOpen: true });
  const started = performance.now();
  const writeBytes = options.writeBytes ?? 64 * 1024;
  const payload = Buffer.alloc(writeBytes, 0x61);
  const outcome: SocketUploadOutcome = { ending: 'clean', bodyBytesSent: 0, bodyBytesSentAfterResponse: 0 };
  let received = Buffer.alloc(0);
  let closed = false;
  let gaveUp = false;

  socket.on('data', (chunk: Buffer) => {
    if (outcome.response) return;
    received = Buffer.concat([received, chunk]);
    const headEnd = received.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const [statusLine = '', ...headerLines] = received.subarray(0, headEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? NaN);
    const body = received.subarray(headEnd + 4);
    if (!Number.isFinite(length) || body.length < length) return;
    outcome.response = { status: Number(statusLine.split(' ')[1]), headers, body: parseBody(body.subarray(0, length).toString('utf8')) };
    outcome.responseMs = performance.now() - started;
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    if (gaveUp) return;
    outcome.ending = 'reset';
    outcome.error ??= error.code ?? error.message;
  });
  const closing = new Promise<void>((resolveClose) =>
    socket.once('close', () => {
      closed = true;
      if (!gaveUp) outcome.closedMs = performance.now() - started;
      resolveClose();
    }),
  );
  const giveUp = setTimeout(() => {
    gaveUp = true;
    outcome.ending = 'given-up';
    socket.destroy();
  }, options.giveUpAfterMs);

  const write = (data: Buffer | string) =>
    new Promise<boolean>((resolveWrite) => {
      if (closed || socket.destroyed) return resolveWrite(false);
      socket.write(data, (error) => resolveWrite(!error));
    });
  const chunked = options.declaredLength === undefined;
  const head = [
    `POST ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    ...Object.entries(options.headers).map(([name, value]) => `${name}: ${value}`),
    chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${options.declaredLength}`,
    '',
    '',
  ].join('\r\n');

  if (await write(head)) {
    while (outcome.bodyBytesSent < options.bodyBytes) {
      const piece = payload.subarray(0, Math.min(writeBytes, options.bodyBytes - outcome.bodyBytesSent));
      if (!(await write(chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece)))
        break;
      outcome.bodyBytesSent += piece.length;
      if (outcome.response) outcome.bodyBytesSentAfterResponse += piece.length;
      if (options.intervalMs && outcome.bodyBytesSent >= (options.pausesFromByte ?? 0))
        await new Promise((r) => setTimeout(r, options.intervalMs));
    }
    if (outcome.bodyBytesSent === options.bodyBytes && (!chunked || (await write('0\r\n\r\n')))) socket.end();
  }
  await closing;
  clearTimeout(giveUp);
  return outcome;
}
