import { HangarError } from '@hangar/domain';
import type { IncomingBody } from '@hangar/ingest';
import type { HangarRequest } from '../common/http-request';
import { JSON_MEDIA_TYPES } from '../common/json-body.interceptor';

/**
 * A request body read as it arrives. Not the default iterator: it would
 * destroy the socket when we stop early, and a 413 could not be sent.
 */
export function bodyChunks(request: HangarRequest): AsyncIterable<Buffer> {
  return request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>;
}

/** True once the client went away before its body ended. */
export function clientGoneOf(request: HangarRequest): () => boolean {
  return () => request.destroyed && !request.complete;
}

/** The raw body of the request as one file for the ingestion core (`application/octet-stream` and the like). */
export function rawBody(request: HangarRequest): IncomingBody {
  const lengthHeader = request.headers['content-length'];
  return {
    door: 'octet-stream',
    chunks: bodyChunks(request),
    declaredLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
    clientGone: clientGoneOf(request),
  };
}

/**
 * The doors that parse a body themselves decode it themselves: a compressed
 * body, or JSON in another charset, would be read as something else.
 */
export function refuseEncodedBody(request: HangarRequest): void {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw new HangarError('UnsupportedMediaType', 'Send multipart, form and JSON upload bodies without a Content-Encoding.', {
      accepted: ['identity'],
    });
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (request.is(JSON_MEDIA_TYPES) && charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HangarError('UnsupportedMediaType', 'Send JSON upload bodies as UTF-8.', { accepted: ['utf-8'] });
  }
}
