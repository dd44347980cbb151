import { Controller, Get, Head, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AssetDeliveryService, FILES_PATH } from '@hangar/assets';
import { Public } from '../auth/auth.decorators';
import { CACHE_FOREVER, sendStoredFile } from './stored-file-response';

/** Processed asset files, at the URLs their assets give (a random token in each: the bytes behind one never change). */
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
    await sendStoredFile(request, response, file, {
      cacheControl: CACHE_FOREVER,
      open: (range) => this.files.read(file, range),
      withBody,
    });
  }
}
