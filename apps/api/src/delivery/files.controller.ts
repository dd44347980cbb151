import { Controller, Get, Head, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { AssetDeliveryService, FILES_PATH } from '@hangar/assets';
import { ServiceUnavailableError } from '@hangar/domain';
import { isStorageUnavailable } from '@hangar/storage';
import { Public } from '../auth/auth.decorators';
import { parseByteRange } from './byte-range';

/**
 * Delivered files may be anything a user uploaded (SVG with script, HTML
 * renamed to .png…): the sandbox CSP keeps them from running script in our
 * origin, nosniff keeps browsers to the declared type.
 */
const SAFE_DELIVERY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; media-src 'self'; sandbox",
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'public, max-age=31536000, immutable',
  'Accept-Ranges': 'bytes',
};

/** RFC 5987/6266 filename, so no file name can inject a header. */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
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
    const size = Number(file.size ?? 0);
    const etag = `"${file.sha256 ?? file.token}"`;
    response.set({
      ...SAFE_DELIVERY_HEADERS,
      'Content-Type': file.contentType ?? 'application/octet-stream',
      'Content-Disposition': contentDisposition(file.fileName),
      ETag: etag,
      'Last-Modified': file.updatedAt.toUTCString(),
    });

    const ifNoneMatch = request.header('if-none-match');
    if (ifNoneMatch && ifNoneMatch.split(',').some((candidate) => candidate.trim() === etag || candidate.trim() === '*')) {
      response.removeHeader('Content-Type');
      response.status(304).end();
      return;
    }
    const range = parseByteRange(request.header('range'), size);
    if (range.kind === 'unsatisfiable') {
      response
        .status(416)
        .set({ 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain' })
        .end();
      return;
    }
    const partial = range.kind === 'partial' ? range : undefined;
    response.status(partial ? 206 : 200);
    response.set('Content-Length', String(partial ? partial.end - partial.start + 1 : size));
    if (partial) response.set('Content-Range', `bytes ${partial.start}-${partial.end}/${size}`);
    if (!withBody || size === 0) {
      response.end();
      return;
    }
    let body;
    try {
      body = await this.files.read(file, partial);
    } catch (error) {
      throw isStorageUnavailable(error) ? new ServiceUnavailableError('storage') : error;
    }
    await pipeline(body, response);
  }
}
