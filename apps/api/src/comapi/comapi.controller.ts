import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { FileAcl } from '@hangar/database';
import { HangarError } from '@hangar/domain';
import { FileDeliveryService, FilePath, FilesService } from '@hangar/files';
import { Public } from '../auth/auth.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { HangarRequest } from '../common/http-request';
import { JSON_MEDIA_TYPES, ReadsOwnBody } from '../common/json-body.interceptor';
import { sendStoredFile } from '../delivery/stored-file-response';
import { base64JsonBody, base64JsonTooLarge } from '../doors/base64-json-upload';
import { base64JsonBodyLimit } from '../doors/base64-json-scanner';
import { formFileBodies } from '../doors/form-files';
import { bodyChunks, clientGoneOf, refuseEncodedBody } from '../doors/request-body';
import { DialectFiles } from '../dialects/dialect-files';
import { writeOneFormFile } from '../dialects/one-form-file';
import { COMAPI_DEFAULT_FOLDER, comapiContent } from './comapi-content';

const FORM_MEDIA_TYPE = 'multipart/form-data';

/** `{folder}/{name}`: the virtual folder the request named (default `content`), and the file's own name. */
function contentPath(folder: string | undefined, name: string | undefined, namePath: readonly string[]): FilePath {
  if (name === undefined || name === '') {
    throw new HangarError('BadRequest', 'The content needs a name: a file name on the file part, or "name" in JSON.', { path: namePath });
  }
  return FilePath.parse([...FilePath.parse(folder ?? COMAPI_DEFAULT_FOLDER).segments, name]);
}

/**
 * Comapi's content service (shared/seeds/000): `POST
 * /apispaces/{apiSpaceId}/content` with the file as the multipart `file`
 * part or as base64 JSON `{name, type, data}` (optionally `folder`, in either)
 * → 200 with the content asset. `apiSpaceId` is a Hangar space id, so the
 * route is under the usual membership and role rules. Comapi content is
 * public by its contract ("a plain GET of url returns the bytes", used in
 * messages sent to anyone): every write makes the file public, and its `url`
 * serves the current version without a token while the file stays public
 * (made private through the Files API, the URL is the same 404 as a
 * missing one).
 */
@Controller('apispaces/:spaceId/content')
export class ComapiController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FilesService,
    private readonly delivery: FileDeliveryService,
    private readonly dialect: DialectFiles,
  ) {}

  @Post()
  @HttpCode(200)
  @ReadsOwnBody()
  async upload(@Param('spaceId') spaceId: string, @CurrentPrincipal() principal: Principal, @Req() request: HangarRequest) {
    const { maxBytes, idleTimeoutSeconds } = this.config.uploads;
    const options = { acl: FileAcl.public };
    if (request.is(FORM_MEDIA_TYPE)) {
      refuseEncodedBody(request);
      const bodies = formFileBodies(request, { maxFileBytes: maxBytes, idleMs: idleTimeoutSeconds * 1000, keptFields: ['folder'] });
      const { written } = await writeOneFormFile(
        bodies,
        async (body) => {
          if (body === undefined) throw new HangarError('BadRequest', 'The form has no file part.');
          const path = contentPath(body.fields.folder, body.describe?.().fileName, ['file', 'filename']);
          // An empty file is content too (the seed's own raw-body examples send a part with no bytes).
          return this.files.write(spaceId, principal.userId, path, { ...body, allowEmpty: true }, options);
        },
        (made) => this.dialect.undo(spaceId, principal.userId, made.written),
      );
      return comapiContent(written, this.config.publicBaseUrl);
    }
    if (request.is(JSON_MEDIA_TYPES)) {
      refuseEncodedBody(request);
      const maxBodyBytes = base64JsonBodyLimit(maxBytes);
      if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) throw base64JsonTooLarge(maxBodyBytes);
      const body = base64JsonBody(bodyChunks(request), { maxFileBytes: maxBytes, clientGone: clientGoneOf(request) });
      // `name` and `folder` may follow `data`: the path is taken once the body has been read.
      const path = () => contentPath(body.fields()?.folder, body.describe?.().fileName, ['name']);
      const { written } = await this.files.write(spaceId, principal.userId, path, body, options);
      return comapiContent(written, this.config.publicBaseUrl);
    }
    throw new HangarError('UnsupportedMediaType', `Send the content as ${FORM_MEDIA_TYPE} (a "file" part) or as base64 JSON.`, {
      accepted: [FORM_MEDIA_TYPE, 'application/json'],
    });
  }

  /** The bytes at a content asset's `url`, for anyone while the file is public (HEAD: the headers only). */
  @Get(':contentId')
  @Public()
  async read(@Param('spaceId') spaceId: string, @Param('contentId') contentId: string, @Req() request: Request, @Res() response: Response) {
    const file = await this.delivery.publicById(spaceId, contentId);
    await sendStoredFile(request, response, file, {
      // The same URL serves the newest version after an update: caches must ask again (a 304 while unchanged).
      cacheControl: 'public, no-cache',
      open: (range) => this.delivery.read(file, range),
      withBody: request.method !== 'HEAD',
    });
  }
}
