import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarError, ValidationFailedError } from '@hangar/domain';
import {
  ArchiveExpansionService,
  FileDeliveryService,
  fileExpansionPath,
  FilePath,
  FilesService,
  type FileWithVersion,
  type StoredArchive,
} from '@hangar/files';
import { DialectSpace } from '../auth/auth.decorators';
import { CurrentPrincipal, DialectSpaceId } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { HangarRequest } from '../common/http-request';
import { ReadsOwnBody } from '../common/json-body.interceptor';
import { sendStoredFile } from '../delivery/stored-file-response';
import { formFileBodies } from '../doors/form-files';
import { bodyChunks, refuseEncodedBody } from '../doors/request-body';
import { urlencodedFileBody, urlencodedTooLarge } from '../doors/urlencoded-body';
import { urlencodedBodyLimit } from '../doors/urlencoded-scanner';
import { DialectFiles } from '../dialects/dialect-files';
import { writeOneFormFile } from '../dialects/one-form-file';
import { looksLikeZip, peekHead } from '../dialects/peek-head';
import { AKANA_EMPTY_TOC, AKANA_TOC_FILE, akanaDeclaredType } from './akana-content';

const FORM_MEDIA_TYPE = 'multipart/form-data';
const URLENCODED_MEDIA_TYPE = 'application/x-www-form-urlencoded';

/** A request with no body at all (`curl -X POST '…?body=%7B%7D'`): read as an empty form. */
function hasNoBody(request: HangarRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] === undefined && (length === undefined || length === '0');
}

const textOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * How long a ZIP upload waits for its expansion before answering 202 instead
 * of Akana's 200: long enough for archives of thousands of small files on
 * this hardware (see BENCHMARKS.md), short of common proxy timeouts.
 */
export const AKANA_ZIP_WAIT_MS = 50_000;

/** What the one file part of an Akana form became: a file, or an archive waiting to be expanded. */
type AkanaWrite = ({ kind: 'file' } & { written: FileWithVersion; created: boolean }) | { kind: 'archive'; archive: StoredArchive };

/**
 * Akana's content API (shared/seeds/002): `POST /content/{path}` writes one
 * file (multipart, one file part; or urlencoded `body`, `type`, also
 * `?body=` in the query as the seed's examples send it) or, with
 * `folder=true`, creates the folder `{path}` with its table of contents
 * (`toc.json`, `{}` unless a `body` is given) → 200 with no content;
 * `GET /content/{path}` returns what was stored. The space is the token's
 * (or `X-Hangar-Space`); membership and roles as for the Files API.
 */
@Controller('content')
@DialectSpace()
export class AkanaController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FilesService,
    private readonly delivery: FileDeliveryService,
    private readonly dialect: DialectFiles,
    private readonly expansions: ArchiveExpansionService,
  ) {}

  @Post('*path')
  @HttpCode(200)
  @ReadsOwnBody()
  async write(
    @DialectSpaceId() spaceId: string,
    @Param('path') rawPath: string[],
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() request: HangarRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    const path = FilePath.parse(rawPath);
    if (request.is(FORM_MEDIA_TYPE)) await this.writeFormFile(spaceId, principal, path, request, response);
    else if (request.is(URLENCODED_MEDIA_TYPE) || hasNoBody(request)) await this.writeFormBody(spaceId, principal, path, query, request);
    else {
      throw new HangarError('UnsupportedMediaType', `Send the content as ${URLENCODED_MEDIA_TYPE} (body=…) or ${FORM_MEDIA_TYPE}.`, {
        accepted: [URLENCODED_MEDIA_TYPE, FORM_MEDIA_TYPE],
      });
    }
    // "200 with no content", and the Content-Type the seed's sample response shows.
    response.setHeader('Content-Type', 'text/html');
  }

  /** The current version's bytes (HEAD: the headers only). */
  @Get('*path')
  async read(
    @DialectSpaceId() spaceId: string,
    @Param('path') rawPath: string[],
    @Req() request: HangarRequest,
    @Res() response: Response,
  ): Promise<void> {
    const file = await this.delivery.forMember(spaceId, FilePath.parse(rawPath), undefined);
    await sendStoredFile(request, response, file, {
      cacheControl: 'private, no-cache',
      open: (range) => this.delivery.read(file, range),
      withBody: request.method !== 'HEAD',
    });
  }

  /**
   * One file part, at `path`; `type` (a text field before it) is the hint.
   * A ZIP archive is expanded under `path` instead (a folder): it is stored,
   * and once the form is known to hold nothing else its expansion is queued
   * and waited for, up to AKANA_ZIP_WAIT_MS, so that Akana's 200 means the
   * files are in. One that has not ended by then answers 202 with the
   * FileExpansion to poll (`Location`); one refused answers 422 with its reason.
   */
  private async writeFormFile(
    spaceId: string,
    principal: Principal,
    path: FilePath,
    request: HangarRequest,
    response: Response,
  ): Promise<void> {
    refuseEncodedBody(request);
    const { maxBytes, idleTimeoutSeconds } = this.config.uploads;
    const bodies = formFileBodies(request, { maxFileBytes: maxBytes, idleMs: idleTimeoutSeconds * 1000, keptFields: ['type', 'folder'] });
    const written = await writeOneFormFile(
      bodies,
      async (part): Promise<AkanaWrite> => {
        if (part === undefined) throw new HangarError('BadRequest', 'The form has no file part.');
        const { head, body } = await peekHead(part, 4);
        if (looksLikeZip(head)) return { kind: 'archive', archive: await this.expansions.store(spaceId, principal.userId, path, body) };
        const declaredType = akanaDeclaredType(part.fields.type, path) ?? part.describe?.().contentType;
        return { kind: 'file', ...(await this.files.write(spaceId, principal.userId, path, body, { declaredType })) };
      },
      (made) => (made.kind === 'file' ? this.dialect.undo(spaceId, principal.userId, made.written) : this.expansions.discard(made.archive)),
    );
    if (written.kind === 'file') return;
    const { expansion, settled } = await this.expansions.waitFor(await this.expansions.queue(written.archive), AKANA_ZIP_WAIT_MS);
    if (!settled) {
      response.status(202).setHeader('Location', fileExpansionPath(spaceId, expansion.id));
      return;
    }
    if (expansion.status === 'failed') {
      throw new ValidationFailedError([
        {
          name: expansion.errorReason ?? 'expansion-error',
          path: ['file'],
          details: expansion.errorMessage ?? 'The archive could not be expanded.',
          ...(expansion.errorEntry === null ? {} : { value: expansion.errorEntry }),
        },
      ]);
    }
  }

  /**
   * An urlencoded form, `body` streamed into the file as it arrives (capped
   * at 3 × UPLOAD_MAX_BYTES, every byte may be `%XX`). `folder` and `type`
   * may follow `body`: where the bytes go (`path`, or the TOC of the folder
   * `path`) and their declared type are decided once the form has been read.
   */
  private async writeFormBody(
    spaceId: string,
    principal: Principal,
    path: FilePath,
    query: Record<string, unknown>,
    request: HangarRequest,
  ): Promise<void> {
    refuseEncodedBody(request);
    const { maxBytes } = this.config.uploads;
    const maxBodyBytes = urlencodedBodyLimit(maxBytes);
    if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) throw urlencodedTooLarge(maxBodyBytes);
    const queryBody = textOf(query.body);
    const isFolder = (fields: ReadonlyMap<string, string> | undefined) => (fields?.get('folder') ?? textOf(query.folder)) === 'true';
    const form = urlencodedFileBody(bodyChunks(request), {
      field: 'body',
      maxFileBytes: maxBytes,
      clientGone: () => request.destroyed && !request.complete,
      // The seed's examples send the content in the query; a new folder without one gets an empty table of contents.
      otherwise: (fields) => (queryBody !== undefined ? Buffer.from(queryBody) : isFolder(fields) ? AKANA_EMPTY_TOC : undefined),
      check: (fields) => void akanaDeclaredType(fields.get('type') ?? textOf(query.type), path),
    });
    const target = () => (isFolder(form.fields()) ? FilePath.parse([...path.segments, AKANA_TOC_FILE]) : path);
    const body = {
      ...form,
      // `type` was checked as the form ended (see `check` above), so this cannot fail after the bytes are stored.
      describe: () => ({ contentType: akanaDeclaredType(form.fields()?.get('type') ?? textOf(query.type), target()) }),
    };
    await this.files.write(spaceId, principal.userId, target, body);
    if (isFolder(form.fields())) await this.files.createFolder(spaceId, principal.userId, path);
  }
}
