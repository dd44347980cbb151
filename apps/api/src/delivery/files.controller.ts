import { Controller, Get, Head, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AssetDeliveryService, FILES_PATH } from '@hangar/assets';
import { RenditionsService, wantsRendition } from '@hangar/media';
import { Public } from '../auth/auth.decorators';
import { sendRendition } from './rendition-response';
import { CACHE_FOREVER, sendStoredFile } from './stored-file-response';
import { ApiDeliveredBytes } from '../docs/openapi.decorators';

/**
 * Processed asset files, at the URLs their assets give (a random token in
 * each: the bytes behind one never change), and their renditions when the
 * URL carries Images API parameters (`?w=400&fm=webp`).
 */
@Controller(FILES_PATH.slice(1))
@Public()
export class FilesController {
  constructor(
    private readonly files: AssetDeliveryService,
    private readonly renditions: RenditionsService,
  ) {}

  @Get(':spaceId/:assetId/:token/:fileName')
  @ApiDeliveredBytes([503])
  async get(
    @Param() params: Record<string, string>,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    await this.deliver(params, query, request, response, true);
  }

  @Head(':spaceId/:assetId/:token/:fileName')
  @ApiDeliveredBytes([503])
  async head(
    @Param() params: Record<string, string>,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    await this.deliver(params, query, request, response, false);
  }

  private async deliver(
    params: Record<string, string>,
    query: Record<string, unknown>,
    request: Request,
    response: Response,
    withBody: boolean,
  ): Promise<void> {
    const { spaceId = '', assetId = '', token = '', fileName = '' } = params;
    const file = await this.files.find(spaceId, assetId, token, fileName);
    if (wantsRendition(query)) {
      await sendRendition(request, response, await this.renditions.deliver(file, query), { cacheControl: CACHE_FOREVER, withBody });
      return;
    }
    await sendStoredFile(request, response, file, {
      cacheControl: CACHE_FOREVER,
      open: (range) => this.files.read(file, range),
      withBody,
    });
  }
}
