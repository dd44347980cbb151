import { createHmac } from 'node:crypto';
import { escape as escapeQuery } from 'node:querystring';

/** A request as it will be sent: what a webhook signature covers. */
export interface RequestToSign {
  readonly method: string;
  /** Path and query of the URL (`/hooks/a?x=1`). */
  readonly path: string;
  /** The headers to sign (names in any case); the signature headers are added. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export const SIGNATURE_HEADER = 'x-contentful-signature';
export const SIGNED_HEADERS_HEADER = 'x-contentful-signed-headers';
export const TIMESTAMP_HEADER = 'x-contentful-timestamp';

/** Contentful's signing secrets: exactly 64 characters of this alphabet. */
export const SIGNING_SECRET_PATTERN = /^[0-9a-zA-Z+/=_-]{64}$/;

/**
 * Signs a webhook request exactly as Contentful signs its own (the scheme its
 * `@contentful/node-apps-toolkit` `verifyRequest` checks): the timestamp (epoch
 * milliseconds) and the list of signed headers are headers themselves and are
 * signed too; header names are lower-cased and values trimmed, sorted by name,
 * joined `name:value` with `;`; the string signed is method, path (query
 * escaped, then the whole URI-encoded), headers and raw body, one per line;
 * the signature is HMAC-SHA256 in hex. Returns the three headers to add.
 */
export function signWebhookRequest(secret: string, request: RequestToSign, timestamp: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase().trim()] = value.trim();
  headers[TIMESTAMP_HEADER] = String(timestamp);
  const names = Object.keys(headers);
  if (!names.includes(SIGNED_HEADERS_HEADER)) names.push(SIGNED_HEADERS_HEADER);
  const signedHeaders = names.sort().join(',');
  headers[SIGNED_HEADERS_HEADER] = signedHeaders;
  const canonicalHeaders = Object.entries(headers)
    .sort(([a], [b]) => (a > b ? 1 : -1))
    .map(([name, value]) => `${name}:${value}`)
    .join(';');
  const signed = [request.method, normalizedPath(request.path), canonicalHeaders, request.body].join('\n');
  return {
    [SIGNATURE_HEADER]: createHmac('sha256', secret).update(signed).digest('hex'),
    [SIGNED_HEADERS_HEADER]: signedHeaders,
    [TIMESTAMP_HEADER]: String(timestamp),
  };
}

/** The path as Contentful's scheme writes it: the query percent-escaped, then the whole URI-encoded. */
function normalizedPath(path: string): string {
  // As the verifier splits it: what follows a second `?` is not part of what is signed.
  const [pathname = '', search] = path.split('?');
  return encodeURI(search ? `${pathname}?${escapeQuery(search)}` : pathname);
}
