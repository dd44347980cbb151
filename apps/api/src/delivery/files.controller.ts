import { Controller, Get, Head, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { AssetDeliveryService, type DeliveredFile, FILES_PATH } from '@hangar/assets';
import { Public } from '../auth/auth.decorators';
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
const CACHE_FOREVER = 'public, max-age=31536000, immutable';

/**
 * Headers go out with `setHeader` and exactly as given: Express's `res.set`
 * would run a Content-Type through `mime-types` (which turns `html` into
 * `text/html` and an unknown value into `false`).
 */
function writeHeaders(response: Response, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
}

@Controller(FILES_PATH.slice(1))
@Public()
export class FilesController {
  constructor(private readonly files: AssetDeliveryService) {}

  @Get(':spaceId/:assetId/:token/:fileName')
  async get(@Param() params: Record<string, string>, @Req() request: Request, @Res() response: Response) {
    await this.deliver(params, request, response, true);
  }

  @Head(':spaceId/:assetId/:token/:fileName')
  async head(@Param() params: Record<string, string>, @Req() request: Request, @Res() response: Response) {
    await this.deliver(params, request, response, false);
  }

  private async deliver(params: Record<string, string>, request: Request, response: Response, withBody: boolean): Promise<void> {
    const { spaceId = '', assetId = '', token = '', fileName = '' } = params;
    const file = await this.files.find(spaceId, assetId, token, fileName);
    const validators = { ETag: file.etag, 'Last-Modified': file.lastModified.toUTCString(), 'Cache-Control': CACHE_FOREVER };

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
    const body = withBody && file.size > 0 ? await this.files.read(file, partial) : undefined;
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
}

/** A 304 or 416: no content, so no Content-Type (not even the management type every answer starts with). */
function endWithoutContent(response: Response, status: 304 | 416, headers: Record<string, string>): void {
  response.removeHeader('Content-Type');
  writeHeaders(response, { ...SAFE_DELIVERY_HEADERS, ...headers });
  response.status(status).end();
}

function contentHeaders(file: DeliveredFile, partial: { start: number; end: number } | undefined): Record<string, string> {
  return {
    'Content-Type': file.contentType,
    'Content-Disposition': file.contentDisposition,
    'Content-Length': String(partial ? partial.end - partial.start + 1 : file.size),
    ...(partial ? { 'Content-Range': `bytes ${partial.start}-${partial.end}/${file.size}` } : {}),
  };
}
