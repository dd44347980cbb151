import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { HangarError } from '@hangar/domain';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { environmentTarget } from '../common/environment-target';
import type { HangarRequest } from '../common/http-request';
import { uploadResource } from './upload.resource';
import { type UploadTarget, UploadsService } from './uploads.service';

export const UPLOAD_MEDIA_TYPE = 'application/octet-stream';

const COLLECTION = ['spaces/:spaceId/uploads', 'spaces/:spaceId/environments/:environmentId/uploads'];
const ITEM = COLLECTION.map((path) => `${path}/:uploadId`);

/**
 * The target of a request about one upload. contentful-management's legacy
 * `Upload.delete()` (v12) sends the upload id where the environment id goes;
 * upload ids are unique, so that form is read as "this upload, in whichever
 * environment of the space it lives" and the SDK works unmodified.
 */
function itemTargetOf(spaceId: string, environmentId: string | undefined, uploadId: string): UploadTarget | { spaceId: string } {
  return environmentId === uploadId ? { spaceId } : environmentTarget(spaceId, environmentId);
}

/** Contentful's Upload API: raw bytes in, a temporary Upload resource out. */
@Controller()
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  @Post(COLLECTION)
  @HttpCode(201)
  async create(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: HangarRequest,
  ) {
    if (!request.is(UPLOAD_MEDIA_TYPE)) {
      throw new HangarError('UnsupportedMediaType', `Send the upload body as ${UPLOAD_MEDIA_TYPE}.`, { accepted: [UPLOAD_MEDIA_TYPE] });
    }
    const lengthHeader = request.headers['content-length'];
    const upload = await this.uploads.create(environmentTarget(spaceId, environmentId), principal, {
      // Not the default iterator: it would destroy the socket when we stop early, and a 413 could not be sent.
      chunks: request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>,
      declaredLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
      clientGone: () => request.destroyed && !request.complete,
    });
    return uploadResource(upload);
  }

  @Get(ITEM)
  async get(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('uploadId') uploadId: string,
  ) {
    return uploadResource(await this.uploads.get(itemTargetOf(spaceId, environmentId, uploadId), uploadId));
  }

  @Delete(ITEM)
  @HttpCode(204)
  async delete(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('uploadId') uploadId: string,
  ) {
    await this.uploads.delete(itemTargetOf(spaceId, environmentId, uploadId), uploadId);
  }
}
