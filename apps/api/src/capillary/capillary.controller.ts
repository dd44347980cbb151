import { Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarError } from '@hangar/domain';
import { FilePath, FilesService, SigningUnavailableError } from '@hangar/files';
import { DialectSpace } from '../auth/auth.decorators';
import { CurrentPrincipal, DialectSpaceId } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { HangarRequest } from '../common/http-request';
import { ReadsOwnBody } from '../common/json-body.interceptor';
import { formFileBodies } from '../doors/form-files';
import { clientGoneOf, refuseEncodedBody } from '../doors/request-body';
import { DialectFiles, emptyBody } from '../dialects/dialect-files';
import { writeOneFormFile } from '../dialects/one-form-file';
import { capillaryUploadResponse } from './capillary-file';

const FORM_MEDIA_TYPE = 'multipart/form-data';

/** A request with no body at all: `curl -X POST …/test.png` asks for a placeholder. */
function hasNoBody(request: HangarRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}

/**
 * Capillary's file service (shared/seeds/001): `POST
 * /api_gateway/file-service/{namespace}/{filename}` with the file as the
 * multipart `file` part, or without a file for a placeholder (an empty
 * version). The file is `{namespace}/{filename}` in the space the token is
 * bound to (or `X-Hangar-Space`); the same name again is its next version;
 * new files are PRIVATE. `secureFilePath` is an expiring signed URL
 * (FILE_URL_DEFAULT_SECONDS; a MinIO presigned GET with
 * FILE_URL_MODE=presigned). Credentials: Bearer, or HTTP Basic with the
 * token as the password.
 */
@Controller('api_gateway/file-service')
@DialectSpace({ basicCredentials: true })
export class CapillaryController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FilesService,
    private readonly dialect: DialectFiles,
  ) {}

  @Post(':namespace/:filename')
  @HttpCode(200)
  @ReadsOwnBody()
  async upload(
    @DialectSpaceId() spaceId: string,
    @Param('namespace') namespace: string,
    @Param('filename') filename: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: HangarRequest,
  ) {
    const path = FilePath.parse([namespace, filename]);
    const isForm = Boolean(request.is(FORM_MEDIA_TYPE));
    if (!isForm && !hasNoBody(request)) {
      throw new HangarError('UnsupportedMediaType', `Send the file as the part "file" of a ${FORM_MEDIA_TYPE} body, or no body.`, {
        accepted: [FORM_MEDIA_TYPE],
      });
    }
    // The answer carries a signed URL: a server that cannot make one refuses before it takes the bytes.
    if (!this.files.signedUrlsAvailable) throw new SigningUnavailableError();
    let written;
    if (isForm) {
      refuseEncodedBody(request);
      const { maxBytes, idleTimeoutSeconds } = this.config.uploads;
      const bodies = formFileBodies(request, { maxFileBytes: maxBytes, idleMs: idleTimeoutSeconds * 1000, requireFile: false });
      ({ written } = await writeOneFormFile(
        bodies,
        (body) => this.files.write(spaceId, principal.userId, path, body ?? { ...emptyBody(), clientGone: clientGoneOf(request) }),
        (made) => this.dialect.undo(spaceId, principal.userId, made.written),
      ));
    } else {
      ({ written } = await this.files.write(spaceId, principal.userId, path, emptyBody()));
    }
    const signed = await this.files.signedUrl(spaceId, path, { version: written.version.number });
    return capillaryUploadResponse(written, this.config.storage.bucket, signed.url);
  }
}
