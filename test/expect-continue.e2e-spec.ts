import type { Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { type RunningApi, startApi } from './support/api-harness';
import { JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';

const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';
/** Long enough for any answer on loopback; an answer that waits for a body that never comes misses it. */
const ANSWER_WITHIN_MS = 5_000;

interface FinalResponse {
  /** Everything the server sent before the final response (a `100 Continue`, or nothing). */
  before: string;
  status: number;
  errorId: string | undefined;
}

/**
 * One HTTP/1.1 request over a plain socket, whose body is sent only when the
 * test says so: what a client that honours `Expect: 100-continue` does.
 */
class RawExchange {
  private readonly socket: Socket;
  private received = '';
  private closed = false;
  private readonly waiting = new Set<() => void>();

  constructor(port: number, method: string, path: string, headers: Record<string, string>) {
    this.socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const wake = () => this.waiting.forEach((check) => check());
    this.socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('latin1');
      wake();
    });
    this.socket.on('error', () => undefined); // a reset shows as a close before the expected answer
    this.socket.on('close', () => {
      this.closed = true;
      wake();
    });
    const head = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)];
    this.socket.write(`${head.join('\r\n')}\r\n\r\n`);
  }

  sendBody(body: Buffer): void {
    this.socket.write(body);
  }

  /** Resolves once the server has sent exactly `100 Continue` (and nothing else). */
  async continued(): Promise<void> {
    await this.until(() =>
      this.received.startsWith(CONTINUE) ? true : this.received.length >= CONTINUE.length ? this.received : undefined,
    );
  }

  /** The first response that is not a `100 Continue`, once whole. */
  finalResponse(): Promise<FinalResponse> {
    return this.until(() => {
      const start = this.received.search(/HTTP\/1\.1 (?!100 )\d{3} /);
      const headEnd = this.received.indexOf('\r\n\r\n', Math.max(start, 0));
      if (start < 0 || headEnd < 0) return undefined;
      const head = this.received.slice(start, headEnd);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      const body = this.received.slice(headEnd + 4);
      if (body.length < length) return undefined;
      const parsed = length > 0 ? (JSON.parse(body.slice(0, length)) as { sys?: { type?: string; id?: string } }) : {};
      return {
        before: this.received.slice(0, start),
        status: Number(head.split(' ')[1]),
        errorId: parsed.sys?.type === 'Error' ? parsed.sys.id : undefined,
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** `outcome` returns the value, undefined to keep waiting, or a string: what arrived instead. */
  private until<T>(outcome: () => T | string | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => done(new Error(`no answer within ${ANSWER_WITHIN_MS} ms; received ${JSON.stringify(this.received)}`)),
        ANSWER_WITHIN_MS,
      );
      const done = (error?: Error, value?: T) => {
        clearTimeout(timer);
        this.waiting.delete(check);
        if (error) reject(error);
        else resolve(value as T);
      };
      const check = () => {
        const value = outcome();
        if (typeof value === 'string') done(new Error(`unexpected answer: ${JSON.stringify(value)}`));
        else if (value !== undefined) done(undefined, value);
        else if (this.closed) done(new Error(`connection closed; received ${JSON.stringify(this.received)}`));
      };
      this.waiting.add(check);
      check();
    });
  }
}

describe('request bodies are asked for and read only after authentication', () => {
  let api: RunningApi;
  let port: number;
  let user: TestUser;
  let space: string;
  let foreignSpace: string;
  const exchanges: RawExchange[] = [];

  beforeAll(async () => {
    api = await startApi();
    // The api's own server, not a balancer in front of it: Node's default for Expect would answer for it.
    port = ((api.app.getHttpServer() as Server).address() as AddressInfo).port;
    user = await newUser(api.baseUrl);
    space = await newSpace(api.baseUrl, user);
    foreignSpace = await newSpace(api.baseUrl, await newUser(api.baseUrl));
  });
  afterEach(() => exchanges.splice(0).forEach((exchange) => exchange.close()));
  afterAll(async () => {
    await api.close();
  });

  const open = (method: string, path: string, headers: Record<string, string>) => {
    const exchange = new RawExchange(port, method, path, headers);
    exchanges.push(exchange);
    return exchange;
  };
  const upload = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(1024 * 1024) };
  const jsonOf = (length: number) => ({ 'Content-Type': JSON_TYPE, 'Content-Length': String(length) });
  const badToken = { Authorization: 'Bearer CFPAT-unknown' };

  describe('Expect: 100-continue', () => {
    it.each([
      ['an upload with an unknown token', (): string => `/spaces/${space}/uploads`, upload, badToken, 401, 'AccessTokenInvalid'],
      ['a JSON body with an unknown token', (): string => '/spaces', jsonOf(20), badToken, 401, 'AccessTokenInvalid'],
      ['an upload into a space of another user', (): string => `/spaces/${foreignSpace}/uploads`, upload, undefined, 404, 'NotFound'],
      ['a JSON body to a route that does not exist', (): string => `/spaces/${space}/nothing`, jsonOf(20), undefined, 404, 'NotFound'],
      ['a JSON body declared past the limit', (): string => '/spaces', jsonOf(2 * 1024 * 1024), undefined, 413, 'RequestEntityTooLarge'],
      [
        'an upload declared past the limit',
        (): string => `/spaces/${space}/uploads`,
        { ...upload, 'Content-Length': String(2000 * 1024 * 1024) },
        undefined,
        413,
        'RequestEntityTooLarge',
      ],
      [
        'an upload of the wrong media type',
        (): string => `/spaces/${space}/uploads`,
        { ...upload, 'Content-Type': 'text/html' },
        undefined,
        415,
        'UnsupportedMediaType',
      ],
    ] as const)('%s: the refusal, with no 100 Continue before it', async (_name, path, headers, auth, status, errorId) => {
      const exchange = open('POST', path(), { ...headers, ...(auth ?? user.auth), Expect: '100-continue' });
      expect(await exchange.finalResponse()).toEqual({ before: '', status, errorId });
    });

    it('an upload with a valid token: 100 Continue, then the body, then 201', async () => {
      const body = Buffer.from('hello, continue');
      const exchange = open('POST', `/spaces/${space}/uploads`, {
        ...upload,
        'Content-Length': String(body.length),
        ...user.auth,
        Expect: '100-continue',
      });
      await exchange.continued();
      exchange.sendBody(body);
      expect(await exchange.finalResponse()).toEqual({ before: CONTINUE, status: 201, errorId: undefined });
    });

    it('a JSON body with a valid token: 100 Continue, then the body, then 201', async () => {
      const body = Buffer.from(JSON.stringify({ name: 'continued' }));
      const exchange = open('POST', '/spaces', { ...jsonOf(body.length), ...user.auth, Expect: '100-continue' });
      await exchange.continued();
      exchange.sendBody(body);
      expect(await exchange.finalResponse()).toEqual({ before: CONTINUE, status: 201, errorId: undefined });
    });
  });

  it.each([
    ['a JSON body', (): string => '/spaces', jsonOf(1024 * 1024)],
    ['an upload', (): string => `/spaces/${space}/uploads`, upload],
  ] as const)('answers %s with an unknown token at once, without waiting for the body', async (_name, path, headers) => {
    // The body is never sent: an answer that waits for it never comes.
    const exchange = open('POST', path(), { ...headers, ...badToken });
    expect(await exchange.finalResponse()).toEqual({ before: '', status: 401, errorId: 'AccessTokenInvalid' });
  });
});
