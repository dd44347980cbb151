/** The media type of Contentful's management API, which Hangar speaks. */
export const CONTENTFUL_JSON = 'application/vnd.contentful.management.v1+json';

/** Where and as whom the CLI talks to the api. */
export interface Connection {
  /** Base URL without a trailing slash, e.g. `http://localhost:3000`. */
  readonly url: string;
  readonly token: string;
}

interface ContentfulErrorBody {
  sys?: { type?: string; id?: string };
  message?: string;
  details?: { errors?: { name?: string; path?: unknown; details?: string }[] };
  requestId?: string;
}

/** An api answer that is not a success, described as the api described it (Contentful's error shape). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorId: string | undefined,
    readonly apiMessage: string,
    readonly requestId?: string,
  ) {
    super(`${status}${errorId ? ` ${errorId}` : ''}: ${apiMessage}`);
    this.name = 'ApiError';
  }

  /** Reads a response body that may be a Contentful error, or a short text (tus's own answers, proxies). */
  static fromBody(status: number, body: string, requestId?: string): ApiError {
    let parsed: ContentfulErrorBody | undefined;
    try {
      parsed = JSON.parse(body) as ContentfulErrorBody;
    } catch {
      parsed = undefined;
    }
    if (parsed?.sys?.type === 'Error') {
      const problems = (parsed.details?.errors ?? [])
        .map((error) =>
          [Array.isArray(error.path) ? error.path.join('.') : undefined, error.details ?? error.name].filter(Boolean).join(': '),
        )
        .filter((line) => line !== '');
      const message = [parsed.message ?? 'error', ...problems].join('; ');
      return new ApiError(status, parsed.sys.id, message, parsed.requestId ?? requestId);
    }
    const text = body.trim().slice(0, 500);
    return new ApiError(status, undefined, text === '' ? 'no message' : text, requestId);
  }
}

/** Normalises a base URL the user typed: http(s) only, no trailing slash, no query. */
export function normaliseBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new Error(`not a URL: ${input}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the api URL must be http or https: ${input}`);
  if (url.search !== '' || url.hash !== '') throw new Error(`the api URL takes no query or fragment: ${input}`);
  return url.toString().replace(/\/+$/, '');
}

export interface RequestOptions {
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
  /** X-Contentful-Version: the version a change applies to. */
  readonly version?: number;
}

/** Answers the api asks to retry later (rate limit, dependency down): how often, and the longest wait honoured. */
const RETRY_STATUSES = new Set([429, 503]);
const RETRY_ATTEMPTS = 5;
const RETRY_MAX_WAIT_MS = 10_000;

/** Seconds the api asked to wait (Retry-After, or Contentful's X-Contentful-RateLimit-Reset), as milliseconds. */
function retryWaitMs(response: Response, attempt: number): number {
  const seconds = Number(response.headers.get('retry-after') ?? response.headers.get('x-contentful-ratelimit-reset'));
  const asked = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 250 * 2 ** attempt;
  return Math.min(asked, RETRY_MAX_WAIT_MS);
}

/** The management API over Node's own fetch: JSON in and out, Contentful errors as {@link ApiError}. */
export class HangarClient {
  constructor(readonly connection: Connection) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(`${this.connection.url}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${this.connection.token}`, Accept: CONTENTFUL_JSON };
    if (options.body !== undefined) headers['Content-Type'] = CONTENTFUL_JSON;
    if (options.version !== undefined) headers['X-Contentful-Version'] = String(options.version);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);

    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(url, { method, headers, body });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(`cannot reach ${this.connection.url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
      }
      const text = await response.text();
      if (response.ok) return (text === '' ? undefined : JSON.parse(text)) as T;
      if (RETRY_STATUSES.has(response.status) && attempt < RETRY_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, retryWaitMs(response, attempt)));
        continue;
      }
      throw ApiError.fromBody(response.status, text, response.headers.get('x-contentful-request-id') ?? undefined);
    }
  }
}
