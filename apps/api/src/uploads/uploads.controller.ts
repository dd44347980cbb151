import { Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { environmentTarget, HangarError } from '@hangar/domain';
import { type UploadScope, UploadSessionService, uploadEntity, UploadsService } from '@hangar/ingest';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { AnyEnvironmentWhenEqualTo } from '../common/environment-route.decorators';
import type { HangarRequest } from '../common/http-request';

export const UPLOAD_MEDIA_TYPE = 'application/octet-stream';

const COLLECTION = ['spaces/:spaceId/uploads', 'spaces/:spaceId/environments/:environmentId/uploads'];
const ITEM = COLLECTION.map((path) => `${path}/:uploadId`);

/**
 * The target of a request about one upload. contentful-management's legacy
 * `Upload.delete()` (v12) sends the upload id where the environment id goes;
 * upload ids are unique, so that form is read as "this upload, in whichever
 * environment of the space it lives" and the SDK works unmodified.
 */
function itemScopeOf(spaceId: string, environmentId: string | undefined, uploadId: string): UploadScope {
  return environmentId === uploadId ? { spaceId } : environmentTarget(spaceId, environmentId);
}

/** Contentful's Upload API: raw bytes in, a temporary Upload resource out. */
@Controller()
export class UploadsController {
  constructor(
    private readonly sessions: UploadSessionService,
    private readonly uploads: UploadsService,
  ) {}

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
    const upload = await this.sessions.ingest(environmentTarget(spaceId, environmentId), principal.userId, {
      // Not the default iterator: it would destroy the socket when we stop early, and a 413 could not be sent.
      chunks: request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>,
      declaredLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
      clientGone: () => request.destroyed && !request.complete,
    });
    return uploadEntity(upload);
  }

  @Get(ITEM)
  @AnyEnvironmentWhenEqualTo('uploadId')
  async get(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('uploadId') uploadId: string,
  ) {
    return uploadEntity(await this.uploads.get(itemScopeOf(spaceId, environmentId, uploadId), uploadId));
  }

  @Delete(ITEM)
  @AnyEnvironmentWhenEqualTo('uploadId')
  @HttpCode(204)
  async delete(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('uploadId') uploadId: string,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.uploads.delete(itemScopeOf(spaceId, environmentId, uploadId), uploadId, principal.userId);
  }
}
