import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FILE_DELIVERY_PATH, FileDeliveryService, FilePath, type Freshness } from '@hangar/files';
import { Public } from '../auth/auth.decorators';
import { CACHE_FOREVER, sendStoredFile } from '../delivery/stored-file-response';

/**
 * Files without a token: a public file at its stable URL (the current
 * version; `?version=N` for one version), any file through a signed URL.
 * Same caching, range, ETag, nosniff and sandbox behaviour as asset files.
 */
@Controller(FILE_DELIVERY_PATH.slice(1))
@Public()
export class FileDeliveryController {
  constructor(private readonly delivery: FileDeliveryService) {}

  @Get(':spaceId/*path')
  async deliver(
    @Param('spaceId') spaceId: string,
    @Param('path') rawPath: string[],
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const { file, freshness } = await this.delivery.forAnyone(spaceId, FilePath.parse(rawPath), query);
    await sendStoredFile(request, response, file, {
      cacheControl: this.cacheControl(freshness),
      open: (range) => this.delivery.read(file, range),
      withBody: request.method !== 'HEAD',
    });
  }

  private cacheControl(freshness: Freshness): string {
    switch (freshness.kind) {
      case 'revalidate':
        return 'public, no-cache';
      case 'immutable':
        return CACHE_FOREVER;
      case 'until':
        // Only the holder of the URL may keep the bytes, and not past its expiry.
        return `private, max-age=${Math.max(0, freshness.expiresAt - this.delivery.now())}`;
    }
  }
}
