import type { Request, Response } from 'express';
import type { DeliverableRendition } from '@hangar/media';
import { sendStoredFile } from './stored-file-response';

/**
 * A rendition goes out as any stored file does (ETag, 304, ranges, the safe
 * delivery headers), saying how it was had: `computed` by this request,
 * `cached` in storage, or `shared` with a concurrent request that made it.
 */
export async function sendRendition(
  request: Request,
  response: Response,
  rendition: DeliverableRendition,
  { cacheControl, withBody }: { cacheControl: string; withBody: boolean },
): Promise<void> {
  response.setHeader('X-Hangar-Rendition', rendition.origin);
  await sendStoredFile(request, response, rendition, { cacheControl, open: (range) => rendition.open(range), withBody });
}
