import { Controller, Delete, Get, HttpCode, Inject, Param, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { FileAcl } from '@hangar/database';
import { HangarError } from '@hangar/domain';
import {
  ArchiveExpansionService,
  FileDeliveryService,
  fileExpansionEntity,
  fileExpansionPath,
  fileEntity,
  FilePath,
  FilesService,
  fileVersionEntity,
  folderEntity,
  type FolderEntry,
  versionNumberOf,
} from '@hangar/files';
import { renditionQueryOf } from '@hangar/media';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { collection, parsePage } from '../common/collection';
import type { HangarRequest } from '../common/http-request';
import { JsonBody } from '../common/json-body.decorator';
import { sendStoredFile } from '../delivery/stored-file-response';
import { aclOf, declaredTypeOf, secondsOf } from './file-query';
import { ApiErrors, ApiQueryParameters, IMAGE_QUERY } from '../docs/openapi.decorators';

const VERSION_QUERY = { version: 'One version of the file (default: the current one).' };

export const FILE_MEDIA_TYPE = 'application/octet-stream';

/**
 * Each kind of resource has its own prefix, so no file path can be mistaken
 * for another route: the bytes at `files/…`, the resource at `file_metadata/…`,
 * and so on. A version is chosen with `?version=N`, never a path segment.
 */
const BYTES = 'spaces/:spaceId/files/*path';
const METADATA = 'spaces/:spaceId/file_metadata/*path';
const ACL = 'spaces/:spaceId/file_acl/*path';
const VERSIONS = 'spaces/:spaceId/file_versions/*path';
const SIGNED_URLS = 'spaces/:spaceId/file_urls/*path';
const ROOT_FOLDER = 'spaces/:spaceId/folders';
const FOLDER = 'spaces/:spaceId/folders/*path';
const EXPANSION = 'spaces/:spaceId/file_expansions/:expansionId';

/** What a ZIP archive may be sent as (`?extract=zip`). */
export const ARCHIVE_MEDIA_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/octet-stream'];

/** Management requests are answered for members only, and may change: their bytes are revalidated every time. */
const MEMBER_CACHE = 'private, no-cache';

const aclBody = z.strictObject({ acl: z.enum(FileAcl) });

/** Hangar's Files API: a space's files by path, with versions, ACL, folders and signed URLs. */
@Controller()
export class FilesController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly files: FilesService,
    private readonly delivery: FileDeliveryService,
    private readonly expansions: ArchiveExpansionService,
  ) {}

  /** Writes the body as a new file (201) or a new version of one (200). */
  @Put(BYTES)
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiQueryParameters({ acl: '`public` or `private` (default private).', contentType: 'The media type to record (default: sniffed).' })
  @ApiResponse({ status: 200, description: 'A new version of an existing file.' })
  @ApiResponse({ status: 201, description: 'A new file.' })
  @ApiErrors([408, 409, 413])
  async write(
    @Param('spaceId') spaceId: string,
    @Param('path') rawPath: string[],
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() request: HangarRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    const path = FilePath.parse(rawPath);
    const options = { acl: aclOf(query.acl), declaredType: declaredTypeOf(query.contentType) };
    if (!request.is(FILE_MEDIA_TYPE)) {
      throw new HangarError('UnsupportedMediaType', `Send the file as ${FILE_MEDIA_TYPE}.`, { accepted: [FILE_MEDIA_TYPE] });
    }
    const lengthHeader = request.headers['content-length'];
    const { written, created } = await this.files.write(
      spaceId,
      principal.userId,
      path,
      {
        door: 'files',
        // Not the default iterator: it would destroy the socket when we stop early, and a 413 could not be sent.
        chunks: request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>,
        declaredLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
        clientGone: () => request.destroyed && !request.complete,
      },
      options,
    );
    response.status(created ? 201 : 200);
    return fileEntity(written, this.config.publicBaseUrl);
  }

  /** The bytes of the current version, or of `?version=N` (HEAD: the headers only). */
  @Get(BYTES)
  @ApiQueryParameters(VERSION_QUERY)
  async read(
    @Param('spaceId') spaceId: string,
    @Param('path') rawPath: string[],
    @Query() query: Record<string, unknown>,
    @Req() request: HangarRequest,
    @Res() response: Response,
  ) {
    const file = await this.delivery.forMember(spaceId, FilePath.parse(rawPath), versionNumberOf(query.version));
    await sendStoredFile(request, response, file, {
      cacheControl: MEMBER_CACHE,
      open: (range) => this.delivery.read(file, range),
      withBody: request.method !== 'HEAD',
    });
  }

  /** Deletes the whole file, or only `?version=N` (the last version left takes the file with it). */
  @Delete(BYTES)
  @ApiQueryParameters(VERSION_QUERY)
  @HttpCode(204)
  async delete(
    @Param('spaceId') spaceId: string,
    @Param('path') rawPath: string[],
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
  ) {
    const path = FilePath.parse(rawPath);
    const version = versionNumberOf(query.version);
    if (version === undefined) await this.files.delete(spaceId, principal.userId, path);
    else await this.files.deleteVersion(spaceId, principal.userId, path, version);
  }

  /** The File resource, or with `?version=N` that FileVersion. */
  @Get(METADATA)
  @ApiQueryParameters(VERSION_QUERY)
  async metadata(@Param('spaceId') spaceId: string, @Param('path') rawPath: string[], @Query() query: Record<string, unknown>) {
    const version = versionNumberOf(query.version);
    const found = await this.files.withVersion(spaceId, FilePath.parse(rawPath), version);
    return version === undefined ? fileEntity(found, this.config.publicBaseUrl) : fileVersionEntity(found, this.config.publicBaseUrl);
  }

  @Put(ACL)
  async setAcl(
    @Param('spaceId') spaceId: string,
    @Param('path') rawPath: string[],
    @JsonBody(aclBody) body: z.output<typeof aclBody>,
    @CurrentPrincipal() principal: Principal,
  ) {
    return fileEntity(await this.files.setAcl(spaceId, principal.userId, FilePath.parse(rawPath), body.acl), this.config.publicBaseUrl);
  }

  /** The file's versions, newest first. */
  @Get(VERSIONS)
  async versions(@Param('spaceId') spaceId: string, @Param('path') rawPath: string[], @Query() query: Record<string, unknown>) {
    const page = parsePage(query);
    const { file, items, total } = await this.files.versions(spaceId, FilePath.parse(rawPath), page);
    return collection(
      items.map((version) => fileVersionEntity({ file, version }, this.config.publicBaseUrl)),
      total,
      page,
    );
  }

  /** A signed URL for one version (`?version=N`, default the current one) that lives `?expiresIn=` seconds. */
  @Get(SIGNED_URLS)
  @ApiQueryParameters({
    ...VERSION_QUERY,
    expiresIn: 'Seconds the URL lives (FILE_URL_DEFAULT_SECONDS, at most FILE_URL_MAX_SECONDS).',
    ...IMAGE_QUERY,
  })
  async signedUrl(@Param('spaceId') spaceId: string, @Param('path') rawPath: string[], @Query() query: Record<string, unknown>) {
    const signed = await this.files.signedUrl(spaceId, FilePath.parse(rawPath), {
      version: versionNumberOf(query.version),
      expiresInSeconds: secondsOf(query.expiresIn, 'expiresIn'),
      rendition: renditionQueryOf(query),
    });
    return { sys: { type: 'SignedFileUrl' as const }, url: signed.url, version: signed.version, expiresAt: signed.expiresAt.toISOString() };
  }

  @Get(ROOT_FOLDER)
  async listRoot(@Param('spaceId') spaceId: string, @Query() query: Record<string, unknown>) {
    return this.list(spaceId, FilePath.ROOT, query);
  }

  /** A folder's subfolders, then its files, each by name. */
  @Get(FOLDER)
  async listFolder(@Param('spaceId') spaceId: string, @Param('path') rawPath: string[], @Query() query: Record<string, unknown>) {
    return this.list(spaceId, FilePath.parse(rawPath), query);
  }

  /**
   * Creates an empty folder (201), or makes an implicit one explicit (200: it existed). With `?extract=zip`
   * the body is a ZIP archive expanded into the folder by the worker: 202 with the FileExpansion to poll.
   */
  @Put(FOLDER)
  @ApiQueryParameters({ extract: '`zip`: the body is a ZIP archive to expand into the folder.', acl: 'The ACL of the files a ZIP makes.' })
  @ApiConsumes('application/zip', 'application/octet-stream')
  @ApiResponse({ status: 200, description: 'The folder existed (implicitly); now explicit.' })
  @ApiResponse({ status: 201, description: 'The folder, created.' })
  @ApiResponse({ status: 202, description: 'The ZIP expansion, started (poll its FileExpansion).' })
  @ApiErrors([408, 409, 413, 415, 422])
  async createFolder(
    @Param('spaceId') spaceId: string,
    @Param('path') rawPath: string[],
    @Query() query: Record<string, unknown>,
    @CurrentPrincipal() principal: Principal,
    @Req() request: HangarRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    const path = FilePath.parse(rawPath);
    if (query.extract !== undefined) return this.expand(spaceId, path, query, principal, request, response);
    const { folder, created } = await this.files.createFolder(spaceId, principal.userId, path);
    response.status(created ? 201 : 200);
    return folderEntity(folder);
  }

  /** A ZIP expansion's status: pending, running, succeeded (with its counts) or failed (with its reason). */
  @Get(EXPANSION)
  async expansion(@Param('spaceId') spaceId: string, @Param('expansionId') expansionId: string) {
    return fileExpansionEntity(await this.expansions.get(spaceId, expansionId));
  }

  private async expand(
    spaceId: string,
    folder: FilePath,
    query: Record<string, unknown>,
    principal: Principal,
    request: HangarRequest,
    response: Response,
  ) {
    if (query.extract !== 'zip') {
      throw new HangarError('InvalidQuery', 'extract must be `zip` (the only archive format expanded).', { parameter: 'extract' });
    }
    if (!request.is(ARCHIVE_MEDIA_TYPES)) {
      throw new HangarError('UnsupportedMediaType', 'Send the archive as application/zip or application/octet-stream.', {
        accepted: ARCHIVE_MEDIA_TYPES,
      });
    }
    const lengthHeader = request.headers['content-length'];
    const expansion = await this.expansions.start(
      spaceId,
      principal.userId,
      folder,
      {
        door: 'files',
        // Not the default iterator: it would destroy the socket when we stop early, and a 413 could not be sent.
        chunks: request.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>,
        declaredLength: lengthHeader === undefined ? undefined : Number(lengthHeader),
        clientGone: () => request.destroyed && !request.complete,
      },
      { acl: aclOf(query.acl) },
    );
    const base = this.config.publicBaseUrl.href.replace(/\/+$/, '');
    response.status(202).setHeader('Location', `${base}${fileExpansionPath(spaceId, expansion.id)}`);
    return fileExpansionEntity(expansion);
  }

  /** Deletes an empty folder; 409 while it holds anything. */
  @Delete(FOLDER)
  @HttpCode(204)
  async deleteFolder(@Param('spaceId') spaceId: string, @Param('path') rawPath: string[], @CurrentPrincipal() principal: Principal) {
    await this.files.deleteFolder(spaceId, principal.userId, FilePath.parse(rawPath));
  }

  private async list(spaceId: string, folder: FilePath, query: Record<string, unknown>) {
    const page = parsePage(query);
    const { items, total } = await this.files.list(spaceId, folder, page);
    return collection(
      items.map((entry) => this.entryResource(entry)),
      total,
      page,
    );
  }

  private entryResource(entry: FolderEntry) {
    return entry.kind === 'folder' ? folderEntity(entry.folder) : fileEntity(entry.file, this.config.publicBaseUrl);
  }
}
