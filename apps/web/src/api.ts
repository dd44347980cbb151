/** The parts of Hangar's (Contentful's) JSON the library reads. */
export interface Sys {
  id: string;
  type?: string;
  version?: number;
  createdAt?: string;
  updatedAt?: string;
  publishedVersion?: number;
  publishedAt?: string;
  archivedVersion?: number;
  archivedAt?: string;
  fileProcessing?: Record<string, { status: 'processing' | 'ready' | 'failed'; reason?: string; updatedAt?: string }>;
}

export interface AssetFile {
  contentType?: string;
  fileName?: string;
  url?: string;
  details?: { size?: number; image?: { width: number; height: number } };
  uploadFrom?: unknown;
}

export interface Asset {
  sys: Sys;
  fields: {
    title?: Record<string, string>;
    description?: Record<string, string>;
    file?: Record<string, AssetFile>;
  };
}

export interface Collection<T> {
  items: T[];
  total?: number;
  pages?: { next?: string; prev?: string };
}

export interface Space {
  sys: Sys;
  name: string;
}

export interface Locale {
  sys: Sys;
  code: string;
  name: string;
  default: boolean;
}

export interface User {
  sys: Sys;
  email?: string;
  firstName?: string;
  lastName?: string;
}

/** An error the api answered with: Contentful's shape (`sys.id`, `message`), shown to the user as it came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorId: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const JSON_TYPE = 'application/vnd.contentful.management.v1+json';

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent as X-Contentful-Version (optimistic locking of asset writes). */
  readonly version?: number;
  readonly query?: Record<string, string | undefined>;
}

/** The api the library is served by (same origin), with the signed-in token. */
export class Api {
  constructor(readonly token: string) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path, window.location.origin);
    for (const [name, value] of Object.entries(options.query ?? {}))
      if (value !== undefined && value !== '') url.searchParams.set(name, value);
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (options.body !== undefined) headers['Content-Type'] = JSON_TYPE;
    if (options.version !== undefined) headers['X-Contentful-Version'] = String(options.version);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError(0, 'NetworkError', 'The api could not be reached. Is Hangar running?');
    }
    const text = await response.text();
    const body = text === '' ? undefined : parseJson(text);
    if (!response.ok) throw errorFrom(response.status, body);
    return body as T;
  }

  spaces(): Promise<Collection<Space>> {
    return this.request('GET', '/spaces', { query: { limit: '100' } });
  }

  environments(space: string): Promise<Collection<Space>> {
    return this.request('GET', `/spaces/${enc(space)}/environments`, { query: { limit: '100' } });
  }
}

export const enc = encodeURIComponent;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorFrom(status: number, body: unknown): ApiError {
  if (typeof body === 'object' && body !== null) {
    const { sys, message, details } = body as { sys?: { id?: string }; message?: string; details?: { errors?: { details?: string }[] } };
    // A validation error's message is "Validation error"; its details say what was wrong.
    const specifics = (details?.errors ?? []).map((error) => error.details).filter(Boolean);
    const text = [message ?? `HTTP ${status}`, ...specifics].join(': ');
    return new ApiError(status, sys?.id ?? 'Error', text);
  }
  return new ApiError(status, 'Error', typeof body === 'string' && body !== '' ? body : `HTTP ${status}`);
}

/** The environment path every asset route starts with. */
export function environmentPath(space: string, environment: string): string {
  return `/spaces/${enc(space)}/environments/${enc(environment)}`;
}

/** Contentful's mimetype_group names, for the type filter. */
export const MIMETYPE_GROUPS = [
  'image',
  'video',
  'audio',
  'pdfdocument',
  'plaintext',
  'richtext',
  'presentation',
  'spreadsheet',
  'archive',
  'code',
  'markup',
  'attachment',
] as const;
