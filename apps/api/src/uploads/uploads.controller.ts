import { Controller, Delete, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { environmentTarget, HangarError } from '@hangar/domain';
import { type UploadScope, UploadSessionService, uploadEntity, UploadsService } from '@hangar/ingest';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { collection } from '../common/collection';
import { AnyEnvironmentWhenEqualTo } from '../common/environment-route.decorators';
import type { HangarRequest } from '../common/http-request';
import { JSON_MEDIA_TYPES, ReadsOwnBody } from '../common/json-body.interceptor';
import { MANAGEMENT_CONTENT_TYPE } from '../common/request-id.middleware';
import { base64JsonBody, base64JsonTooLarge } from '../doors/base64-json-upload';
import { base64JsonBodyLimit } from '../doors/base64-json-scanner';
import { formFileBodies } from '../doors/form-files';
import { bodyChunks, refuseEncodedBody } from '../doors/request-body';
import { ApiErrors } from '../docs/openapi.decorators';

/** Contentful's own door: the raw bytes of one file. */
export const UPLOAD_MEDIA_TYPE = 'application/octet-stream';
export const FORM_MEDIA_TYPE = 'multipart/form-data';
/** Every door of this route, as a 415 names them. */
export const UPLOAD_MEDIA_TYPES = [UPLOAD_MEDIA_TYPE, FORM_MEDIA_TYPE, 'application/json', MANAGEMENT_CONTENT_TYPE];

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

/**
 * Contentful's Upload API: bytes in, a temporary Upload resource out. Three
 * doors, by Content-Type, all into the ingestion core:
 * - `application/octet-stream`: the raw bytes of one file (Contentful's);
 * - `multipart/form-data`: the file parts of a form, each its own upload;
 * - `application/json` (or Contentful's JSON type): `{"name", "type", "data"}`
 *   with the file as base64 (the Comapi content service's contract).
 */
@Controller()
export class UploadsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: UploadSessionService,
    private readonly uploads: UploadsService,
  ) {}

  /**
   * One file answers with its Upload resource; a form with several files
   * answers with an `Array` of them, in the order of the parts.
   */
  @Post(COLLECTION)
  @ApiConsumes(UPLOAD_MEDIA_TYPE, FORM_MEDIA_TYPE, 'application/json')
  @ApiBody({
    description: 'The bytes (octet-stream), the file parts of a form, or {"name", "type", "data": base64} as JSON.',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiErrors([422])
  @HttpCode(201)
  @ReadsOwnBody()
  async create(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: HangarRequest,
  ) {
    const target = environmentTarget(spaceId, environmentId);
    const clientGone = () => request.destroyed && !request.complete;
    const { maxBytes, idleTimeoutSeconds } = this.config.uploads;
    if (request.is(UPLOAD_MEDIA_TYPE)) {
      const lengthHeader = request.headers['content-length'];
      const upload = await this.sessions.ingest(target, principal.userId, {
        door: 'octet-stream',
        chunks: bodyChunks(request),
        declaredLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
        clientGone,
      });
      return uploadEntity(upload);
    }
    if (request.is(FORM_MEDIA_TYPE)) {
      refuseEncodedBody(request);
      const bodies = formFileBodies(request, { maxFileBytes: maxBytes, idleMs: idleTimeoutSeconds * 1000 });
      const uploads = (await this.sessions.ingestAll(target, principal.userId, bodies)).map(uploadEntity);
      const [only] = uploads;
      return uploads.length === 1 && only ? only : collection(uploads, uploads.length, { skip: 0, limit: uploads.length });
    }
    if (request.is(JSON_MEDIA_TYPES)) {
      refuseEncodedBody(request);
      const maxBodyBytes = base64JsonBodyLimit(maxBytes);
      if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) throw base64JsonTooLarge(maxBodyBytes);
      const body = base64JsonBody(bodyChunks(request), { maxFileBytes: maxBytes, clientGone });
      return uploadEntity(await this.sessions.ingest(target, principal.userId, body));
    }
    throw new HangarError('UnsupportedMediaType', `Send the upload body as ${UPLOAD_MEDIA_TYPE}, ${FORM_MEDIA_TYPE} or base64 JSON.`, {
      accepted: UPLOAD_MEDIA_TYPES,
    });
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
