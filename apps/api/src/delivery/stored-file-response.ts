import type { Request, Response } from 'express';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseByteRange } from './byte-range';
import { ifNoneMatchFails } from './if-none-match';

/**
 * Delivered files may be anything a user uploaded: only passive types go out
 * as themselves (libs/media `deliveryHeaders`), the sandbox CSP keeps anything
 * that still renders from running script in our origin, nosniff keeps
 * browsers to the type we send.
 */
const SAFE_DELIVERY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; media-src 'self'; sandbox",
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Accept-Ranges': 'bytes',
};

/** Bytes that never change behind their URL (an asset file's token, a file version's number). */
export const CACHE_FOREVER = 'public, max-age=31536000, immutable';

/** What a response says about the stored bytes it sends (asset files and file versions alike). */
export interface StoredFile {
  readonly size: number;
  /** A strong entity tag. */
  readonly etag: string;
  readonly lastModified: Date;
  /** Already decided by libs/media `deliveryHeaders`: a passive type, or a download. */
  readonly contentType: string;
  readonly contentDisposition: string;
}

/** Opens the bytes (all of them, or one range) once the response knows it will send them. */
export type OpenBytes = (range: { start: number; end: number } | undefined) => Promise<Readable>;

/**
 * Headers go out with `setHeader` and exactly as given: Express's `res.set`
 * would run a Content-Type through `mime-types` (which turns `html` into
 * `text/html` and an unknown value into `false`).
 */
function writeHeaders(response: Response, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
}

/**
 * The one way stored bytes go out: conditional requests (`If-None-Match`,
 * 304), one byte range (206, or 416), the safe delivery headers, then the
 * bytes, or none for HEAD.
 */
export async function sendStoredFile(
  request: Request,
  response: Response,
  file: StoredFile,
  { cacheControl, open, withBody }: { cacheControl: string; open: OpenBytes; withBody: boolean },
): Promise<void> {
  const validators = { ETag: file.etag, 'Last-Modified': file.lastModified.toUTCString(), 'Cache-Control': cacheControl };

  if (ifNoneMatchFails(request.header('if-none-match'), file.etag)) {
    endWithoutContent(response, 304, validators);
    return;
  }
  const range = parseByteRange(request.header('range'), file.size);
  if (range.kind === 'unsatisfiable') {
    endWithoutContent(response, 416, { 'Content-Range': `bytes */${file.size}` });
    return;
  }
  const partial = range.kind === 'partial' ? range : undefined;
  // Open the bytes before any header is written: if storage fails, the error answer carries no caching headers.
  const body = withBody && file.size > 0 ? await open(partial) : undefined;
  writeHeaders(response, {
    ...SAFE_DELIVERY_HEADERS,
    ...validators,
    ...contentHeaders(file, partial),
  });
  response.status(partial ? 206 : 200);
  if (!body) {
    response.end();
    return;
  }
  await pipeline(body, response);
}

/** A 304 or 416: no content, so no Content-Type (not even the management type every answer starts with). */
function endWithoutContent(response: Response, status: 304 | 416, headers: Record<string, string>): void {
  response.removeHeader('Content-Type');
  writeHeaders(response, { ...SAFE_DELIVERY_HEADERS, ...headers });
  response.status(status).end();
}

function contentHeaders(file: StoredFile, partial: { start: number; end: number } | undefined): Record<string, string> {
  return {
    'Content-Type': file.contentType,
    'Content-Disposition': file.contentDisposition,
    'Content-Length': String(partial ? partial.end - partial.start + 1 : file.size),
    ...(partial ? { 'Content-Range': `bytes ${partial.start}-${partial.end}/${file.size}` } : {}),
  };
}
