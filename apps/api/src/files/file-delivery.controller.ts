import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FILE_DELIVERY_PATH, FileDeliveryService, FilePath, type Freshness } from '@hangar/files';
import { RenditionsService, renditionQueryOf, wantsRendition } from '@hangar/media';
import { Public } from '../auth/auth.decorators';
import { sendRendition } from '../delivery/rendition-response';
import { CACHE_FOREVER, sendStoredFile } from '../delivery/stored-file-response';
import { ApiDeliveredBytes } from '../docs/openapi.decorators';

/**
 * Files without a token: a public file at its stable URL (the current
 * version; `?version=N` for one version), any file through a signed URL.
 * Same caching, range, ETag, nosniff and sandbox behaviour as asset files,
 * and the same renditions (Images API parameters; a signed URL's signature
 * covers them).
 */
@Controller(FILE_DELIVERY_PATH.slice(1))
@Public()
export class FileDeliveryController {
  constructor(
    private readonly delivery: FileDeliveryService,
    private readonly renditions: RenditionsService,
  ) {}

  @Get(':spaceId/*path')
  @ApiDeliveredBytes([403, 503], {
    version: 'One version of the file (default: the current one).',
    exp: "A signed URL's expiry.",
    kid: "A signed URL's key id.",
    sig: "A signed URL's signature.",
  })
  async deliver(
    @Param('spaceId') spaceId: string,
    @Param('path') rawPath: string[],
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const rendition = renditionQueryOf(query);
    const { file, freshness } = await this.delivery.forAnyone(spaceId, FilePath.parse(rawPath), query, rendition);
    const options = { cacheControl: this.cacheControl(freshness), withBody: request.method !== 'HEAD' };
    if (wantsRendition(rendition)) {
      await sendRendition(request, response, await this.renditions.deliver(file, rendition), options);
      return;
    }
    await sendStoredFile(request, response, file, { ...options, open: (range) => this.delivery.read(file, range) });
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
