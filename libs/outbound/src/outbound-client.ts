import { STATUS_CODES } from 'node:http';
import type { Agent, Dispatcher } from 'undici';
import { guardedConnector, type Resolver } from './guarded-connector';
import { OutboundRequestError } from './outbound-errors';
import { abbreviated, DEFAULT_ALLOWED_PORTS, OutboundPolicy } from './outbound-policy';

export interface OutboundClientOptions {
  /** Hosts exempt from the address and port rules (REMOTE_FETCH_ALLOW_HOSTS). */
  readonly allowHosts: readonly string[];
  /** Ports other hosts may use; 80 and 443 unless a test says otherwise. */
  readonly ports?: readonly number[];
  /** How long a connection (DNS, TCP, TLS) may take. */
  readonly connectTimeoutMs?: number;
  /** How long the remote side may stay silent: before the response headers, and between two pieces of the body. */
  readonly idleTimeoutMs?: number;
  /** Redirects followed before giving up. */
  readonly maxRedirects?: number;
  /** Instead of `dns.lookup` (tests). */
  readonly resolve?: Resolver;
  readonly userAgent?: string;
}

export type OutboundMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface OutboundRequest {
  readonly method?: OutboundMethod;
  /** Lowercase names. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Held in memory, so that a 307/308 redirect can send it again. */
  readonly body?: string | Buffer;
  /** The most body bytes accepted: a larger announced length is refused before reading, a longer body fails when it passes it. */
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
}

export interface OutboundResponse {
  /** The URL that answered, after redirects. */
  readonly url: URL;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The media type the server claims (`image/png`, no parameters): a hint, never proof. */
  readonly contentType: string | undefined;
  /** The length the server announced (Content-Length), already checked against `maxBytes`. */
  readonly contentLength: number | undefined;
  readonly redirects: number;
  /**
   * The body, read once. It fails with an {@link OutboundRequestError} when
   * it passes `maxBytes`, when the server stays silent too long, or when the
   * connection breaks — a body is complete or an error, never cut short.
   */
  readonly body: AsyncIterable<Buffer>;
  /** Releases the connection when the body is not (or not entirely) read; harmless after reading it. */
  discard(): void;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** Statuses worth trying again later. */
const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
/** Headers that must not follow a redirect to another origin (RFC 9110 §15.4). */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

type UndiciBody = Dispatcher.ResponseData['body'];

/**
 * The one way Hangar makes HTTP requests to URLs it is given (remote
 * import, webhook delivery). Every hop's URL is checked by the
 * {@link OutboundPolicy}, every connection's addresses at connect time by
 * the {@link guardedConnector}; redirects are followed here, not by undici,
 * so each is checked like the first URL; connect and idle timeouts and a
 * byte cap bound what a hostile server can make us wait for or store.
 */
export class OutboundClient {
  readonly policy: OutboundPolicy;
  /** Made on the first request: undici (~20 MiB of a process's memory) loads only in a process that sends one. */
  private agent: Promise<Agent> | undefined;
  private readonly resolve: Resolver | undefined;
  private readonly connectTimeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly maxRedirects: number;
  private readonly userAgent: string;

  constructor(options: OutboundClientOptions) {
    this.policy = new OutboundPolicy(options.allowHosts, options.ports ?? DEFAULT_ALLOWED_PORTS);
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.userAgent = options.userAgent ?? 'Hangar';
    this.resolve = options.resolve;
  }

  /**
   * Downloads `url`: a GET that must end in 200 (or 203) with the body as
   * sent (identity encoding), at most `maxBytes` long.
   */
  async get(url: string | URL, { maxBytes, signal }: { maxBytes: number; signal?: AbortSignal }): Promise<OutboundResponse> {
    const response = await this.request(url, {
      method: 'GET',
      headers: { accept: '*/*', 'accept-encoding': 'identity' },
      maxBytes,
      signal,
    });
    const host = response.url.host;
    if (response.status !== 200 && response.status !== 203) {
      response.discard();
      const phrase = STATUS_CODES[response.status];
      throw new OutboundRequestError(
        'status',
        `${host} answered ${response.status}${phrase ? ` ${phrase}` : ''}.`,
        TRANSIENT_STATUSES.has(response.status),
        { status: response.status },
      );
    }
    const encoding = headerValue(response.headers['content-encoding'])?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
      response.discard();
      // Decoding would store other bytes than the file; storing the encoded ones would store the wrong file.
      throw new OutboundRequestError(
        'encoding',
        `${host} sent the file ${abbreviated(encoding, 40)}-encoded although it was asked not to.`,
      );
    }
    return response;
  }

  /**
   * One request, following up to `maxRedirects` redirects (each URL checked
   * as the first was), answering with the final response whatever its
   * status. Per RFC 9110 §15.4, a 303 (and a 301/302 after a POST) goes on as
   * a GET without the body; a 307/308 repeats the method and body; credentials
   * do not follow a redirect to another origin.
   */
  async request(input: string | URL, init: OutboundRequest): Promise<OutboundResponse> {
    let url = this.policy.parse(input);
    let method: OutboundMethod = init.method ?? 'GET';
    let body = init.body;
    let headers: Record<string, string> = { 'user-agent': this.userAgent, ...init.headers };
    for (let redirects = 0; ; redirects += 1) {
      let response: Dispatcher.ResponseData;
      try {
        this.policy.check(url);
        response = await this.send(url, method, headers, body, init.signal);
      } catch (error) {
        throw redirects === 0 ? error : afterRedirects(error, redirects, url);
      }
      const location = REDIRECT_STATUSES.has(response.statusCode) ? headerValue(response.headers.location) : undefined;
      if (location === undefined) return this.responseOf(url, response, redirects, init.maxBytes);
      discard(response.body);
      if (redirects >= this.maxRedirects) {
        throw new OutboundRequestError('redirects', `The URL redirected more than ${this.maxRedirects} times.`, false, {
          redirects: redirects + 1,
        });
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new OutboundRequestError(
          'redirect-location',
          `${url.host} redirected to "${abbreviated(location)}", which is not a valid URL.`,
        );
      }
      const status = response.statusCode;
      if ((status === 303 && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        headers = withoutHeaders(headers, (name) => name.startsWith('content-'));
      }
      if (next.origin !== url.origin) headers = withoutHeaders(headers, (name) => CREDENTIAL_HEADERS.includes(name));
      url = next;
    }
  }

  /** Closes every connection at once (shutdown). */
  async close(): Promise<void> {
    const agent = this.agent;
    this.agent = undefined;
    await (await agent)?.destroy();
  }

  private dispatcher(): Promise<Agent> {
    this.agent ??= import('undici').then(
      ({ Agent: UndiciAgent, buildConnector }) =>
        new UndiciAgent({
          connect: guardedConnector(this.policy, { timeoutMs: this.connectTimeoutMs, resolve: this.resolve }, buildConnector),
          headersTimeout: this.idleTimeoutMs,
          bodyTimeout: this.idleTimeoutMs,
        }),
    );
    return this.agent;
  }

  private async send(
    url: URL,
    method: OutboundMethod,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Dispatcher.ResponseData> {
    try {
      const agent = await this.dispatcher();
      return await agent.request({ origin: url.origin, path: `${url.pathname}${url.search}`, method, headers, body, signal });
    } catch (error) {
      throw this.explain(error, url);
    }
  }

  private responseOf(url: URL, response: Dispatcher.ResponseData, redirects: number, maxBytes: number): OutboundResponse {
    const lengthHeader = headerValue(response.headers['content-length']);
    const contentLength = lengthHeader !== undefined && /^\d+$/.test(lengthHeader.trim()) ? Number(lengthHeader) : undefined;
    if (contentLength !== undefined && contentLength > maxBytes) {
      discard(response.body);
      throw new OutboundRequestError(
        'too-large',
        `${url.host} announced ${contentLength} bytes, more than the limit of ${maxBytes} bytes.`,
        false,
        { maxBytes, contentLength },
      );
    }
    const contentType = headerValue(response.headers['content-type'])?.split(';')[0]?.trim().toLowerCase() || undefined;
    return {
      url,
      status: response.statusCode,
      headers: response.headers,
      contentType,
      contentLength,
      redirects,
      body: this.cappedBody(response.body, url, maxBytes),
      discard: () => discard(response.body),
    };
  }

  private async *cappedBody(body: UndiciBody, url: URL, maxBytes: number): AsyncGenerator<Buffer> {
    let received = 0;
    try {
      // Leaving this loop early (the cap, or the reader stopping) destroys the body and so the connection.
      for await (const chunk of body as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > maxBytes) {
          throw new OutboundRequestError('too-large', `${url.host} sent more than the limit of ${maxBytes} bytes.`, false, { maxBytes });
        }
        yield chunk;
      }
    } catch (error) {
      throw this.explain(error, url);
    }
  }

  /** An undici or socket failure as words for the person who gave the URL. */
  private explain(error: unknown, url: URL): unknown {
    if (error instanceof OutboundRequestError) return error;
    const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
    const host = url.host;
    const seconds = (ms: number) => `${ms / 1000} s`;
    switch (code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new OutboundRequestError('timeout', `${host} did not accept a connection within ${seconds(this.connectTimeoutMs)}.`, true);
      case 'UND_ERR_HEADERS_TIMEOUT':
        return new OutboundRequestError('timeout', `${host} did not answer within ${seconds(this.idleTimeoutMs)}.`, true);
      case 'UND_ERR_BODY_TIMEOUT':
        return new OutboundRequestError('timeout', `${host} stopped sending the response for ${seconds(this.idleTimeoutMs)}.`, true);
      case 'UND_ERR_ABORTED':
        return new OutboundRequestError('aborted', `The request to ${host} was cancelled.`, true);
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'EAI_NODATA':
      case 'EAI_NONAME':
        return new OutboundRequestError('unreachable', `${url.hostname} could not be resolved.`, true);
      case 'ECONNREFUSED':
        return new OutboundRequestError('unreachable', `${host} refused the connection.`, true);
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ETIMEDOUT':
        return new OutboundRequestError('unreachable', `${host} cannot be reached.`, true);
      case 'ECONNRESET':
      case 'EPIPE':
      case 'UND_ERR_SOCKET':
      case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
        return new OutboundRequestError('unreachable', `The connection to ${host} broke before the response was complete.`, true);
      default:
        break;
    }
    if (name === 'AbortError') return new OutboundRequestError('aborted', `The request to ${host} was cancelled.`, true);
    if (typeof code === 'string' && /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
      return new OutboundRequestError('tls', `The TLS certificate of ${host} could not be verified (${code}).`);
    }
    const what = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    return new OutboundRequestError('unreachable', `The request to ${host} failed (${abbreviated(what, 120)}).`, true);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function withoutHeaders(headers: Record<string, string>, drop: (name: string) => boolean): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop(name.toLowerCase())));
}

/** Closes a body nobody will read (destroying an undici body emits an error nobody else listens for). */
function discard(body: UndiciBody): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** A later hop's failure, saying where the redirects led. */
function afterRedirects(error: unknown, redirects: number, url: URL): unknown {
  if (!(error instanceof OutboundRequestError)) return error;
  const { failure: _failure, ...details } = error.details;
  return new OutboundRequestError(
    error.failure,
    `After ${redirects} redirect${redirects === 1 ? '' : 's'}, to ${abbreviated(url.href)}: ${error.message}`,
    error.retryable,
    { ...details, redirectedTo: url.href },
  );
}
