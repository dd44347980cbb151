import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import {
  constraintViolationOf,
  type File,
  FileAcl,
  type FileFolder,
  type FileVersion,
  Prisma,
  PrismaService,
  type Upload,
} from '@hangar/database';
import { HangarError, MASTER_ENVIRONMENT, newId, NotFoundError } from '@hangar/domain';
import { DomainEventsService, EventTopic } from '@hangar/events';
import { BlobStore, type IncomingBody, UploadCleanupService, uploadEvent, UploadSessionService } from '@hangar/ingest';
import { deliveredTypeOf, deliveryHeaders, MediaInspector, RenditionsService, SNIFF_BYTES } from '@hangar/media';
import { StorageService } from '@hangar/storage';
import { fileEntity, fileEvent, type FileWithVersion, folderEvent } from './file-entity';
import { fileDeliveryUrl, fileObjectKey } from './file-keys';
import { FilePath } from './file-path';
import { FileUrlSigner } from './file-url-signer';

export interface Page {
  readonly skip: number;
  readonly limit: number;
}

/** What a write may say besides its bytes. */
export interface WriteOptions {
  /** The type the client says the bytes are: a hint (the bytes decide; see libs/media deliveredTypeOf). */
  readonly declaredType?: string | undefined;
  /** The file's ACL after the write; a new file is private unless told otherwise, an existing one keeps its ACL. */
  readonly acl?: FileAcl | undefined;
}

/** One entry of a folder listing: its subfolders first, then its files, each by name. */
export type FolderEntry =
  { readonly kind: 'folder'; readonly folder: FileFolder } | { readonly kind: 'file'; readonly file: FileWithVersion };

/** Bytes stored through the ingestion core for a version not recorded yet (FilesService.storeBytes). */
export interface StoredFileBytes {
  /** The ready upload session that holds them. */
  readonly upload: Upload;
  /** The Content-Type delivery will send, decided from the bytes. */
  readonly contentType: string;
  readonly declaredType?: string | undefined;
}
/**
 * Where a write goes: a path, or one only the body can name once it has been
 * read (a base64 JSON body's `name` may follow its `data`, an urlencoded
 * form's `folder=true` its `body`). The bytes do not wait for it: a session's
 * object is placed by its own id, and the path is taken under the lock.
 */
export type WriteTarget = FilePath | (() => FilePath);

export interface SignedFileUrl {
  readonly url: string;
  readonly version: number;
  readonly expiresAt: Date;
}

/** A new file is private: its bytes are not reachable without a token until someone decides otherwise (as Capillary's default). */
export const DEFAULT_FILE_ACL: FileAcl = FileAcl.private;

const conflict = (message: string, details: Record<string, unknown>) => new HangarError('Conflict', message, details);

/**
 * A space's path-addressed files: numbered versions (every write is a new
 * one; numbers are never reused), an ACL, folders explicit or made by their
 * files. Bytes arrive only through the ingestion core, into an upload session
 * whose object is already under `files/`; the version takes it over in the
 * transaction that writes it. Every change commits with its domain events;
 * changes to one space's files and folders take the space's lock for their
 * (short) transaction, so "is this folder empty" and "put a file in it" never
 * interleave.
 */
@Injectable()
export class FilesService {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
    private readonly events: DomainEventsService,
    private readonly sessions: UploadSessionService,
    private readonly cleanup: UploadCleanupService,
    private readonly media: MediaInspector,
    private readonly signer: FileUrlSigner,
    private readonly renditions: RenditionsService,
    private readonly blobs: BlobStore,
  ) {}

  /**
   * Writes a new file, or a new version of one: `created` tells which. The
   * declared type is `options.declaredType`, else the one the body describes.
   */
  async write(
    spaceId: string,
    actorId: string,
    target: WriteTarget,
    body: IncomingBody,
    options: WriteOptions = {},
  ): Promise<{ written: FileWithVersion; created: boolean }> {
    // Checked before the bytes are taken (a refusal then costs nothing), and again under the lock.
    if (target instanceof FilePath) await this.assertFileFits(this.prisma, spaceId, target);
    const stored = await this.storeBytes(spaceId, actorId, body, { declaredType: options.declaredType });
    try {
      const path = target instanceof FilePath ? target : target();
      return await this.prisma.$transaction((tx) => this.recordStored(tx, spaceId, actorId, path, stored, options));
    } catch (error) {
      // The bytes go with their session: nothing of a failed write stays (or, with storage down, the purge removes it).
      await this.discardStored(stored);
      throw explainConstraint(error, spaceId);
    }
  }

  /**
   * The first half of a write: the bytes, through the ingestion core, into an
   * upload session whose object is already under `files/` (at `objectKeyOf`,
   * by default `files/{space}/{upload id}`), with the type they decide. Nothing
   * is a file yet: {@link recordStored} makes them a version, or
   * {@link discardStored} gives them up. Until then the session owns them
   * (and the upload purge takes them when it expires).
   */
  async storeBytes(
    spaceId: string,
    actorId: string,
    body: IncomingBody,
    options: { declaredType?: string | undefined; objectKeyOf?: (uploadId: string) => string } = {},
  ): Promise<StoredFileBytes> {
    const head: Buffer[] = [];
    const upload = await this.sessions.ingest(
      { spaceId, environmentId: MASTER_ENVIRONMENT },
      actorId,
      { ...body, chunks: keepingHead(body.chunks, head) },
      { objectKeyOf: options.objectKeyOf ?? ((uploadId) => fileObjectKey(spaceId, uploadId)) },
    );
    try {
      const sniffed = Buffer.concat(head).subarray(0, SNIFF_BYTES);
      const declaredType = options.declaredType ?? body.describe?.().contentType;
      const contentType = deliveredTypeOf(await this.media.detectType(sniffed), declaredType ?? '', sniffed);
      return { upload, contentType, declaredType };
    } catch (error) {
      await this.cleanup.discard(upload);
      throw error;
    }
  }

  /** Gives up bytes {@link storeBytes} stored and no version took: their session, object and row go. */
  async discardStored(stored: StoredFileBytes): Promise<void> {
    await this.cleanup.discard(stored.upload);
  }

  /**
   * The second half of a write, inside the caller's transaction: the stored
   * bytes become the next version of the file at `path` (created when new),
   * with its implicit folders and events; the session is consumed.
   */
  async recordStored(
    tx: Prisma.TransactionClient,
    spaceId: string,
    actorId: string,
    path: FilePath,
    stored: StoredFileBytes,
    options: Pick<WriteOptions, 'acl'> = {},
  ): Promise<{ written: FileWithVersion; created: boolean }> {
    const [recorded] = await this.recordStoredMany(tx, spaceId, actorId, [{ path, stored }], options);
    if (!recorded) throw new Error('recordStoredMany returned nothing for one write');
    return recorded;
  }

  /**
   * {@link recordStored} for many paths at once (a ZIP expansion's entries),
   * in a fixed number of statements whatever their number — under the
   * space's lock, held until the caller's transaction ends, so a caller may
   * record several batches in one transaction: all of them or none. Paths
   * must be distinct. Results are in the order of `writes`.
   */
  async recordStoredMany(
    tx: Prisma.TransactionClient,
    spaceId: string,
    actorId: string,
    writes: readonly { readonly path: FilePath; readonly stored: StoredFileBytes }[],
    options: Pick<WriteOptions, 'acl'> = {},
  ): Promise<{ written: FileWithVersion; created: boolean }[]> {
    if (writes.length === 0) return [];
    const paths = writes.map(({ path }) => path.toString());
    if (new Set(paths).size !== paths.length) throw new Error('recordStoredMany needs distinct paths');
    await lockFilesOf(tx, spaceId);
    await this.assertFilesFit(
      tx,
      spaceId,
      writes.map(({ path }) => path),
    );
    const now = new Date();
    const existing = new Map(
      (await tx.file.findMany({ where: { spaceId, path: { in: paths } } })).map((file) => [file.path, file] as const),
    );
    const updated = new Map<string, File>();
    for (const file of existing.values()) {
      updated.set(
        file.path,
        await tx.file.update({
          where: { id: file.id },
          data: {
            currentVersion: file.lastVersion + 1,
            lastVersion: file.lastVersion + 1,
            updatedById: actorId,
            updatedAt: now,
            ...(options.acl === undefined ? {} : { acl: options.acl }),
          },
        }),
      );
    }
    const created = await tx.file.createManyAndReturn({
      data: writes
        .filter(({ path }) => !existing.has(path.toString()))
        .map(({ path }) => ({
          id: newId(),
          spaceId,
          path: path.toString(),
          folder: path.parent.toString(),
          name: path.name,
          acl: options.acl ?? DEFAULT_FILE_ACL,
          currentVersion: 1,
          lastVersion: 1,
          createdById: actorId,
          createdAt: now,
          updatedById: actorId,
          updatedAt: now,
        })),
    });
    const files = new Map([...updated, ...created.map((file) => [file.path, file] as const)]);
    const fileAt = (path: FilePath): File => {
      const file = files.get(path.toString());
      if (!file) throw new Error(`no file row for ${path.toString()}`);
      return file;
    };
    const versions = await tx.fileVersion.createManyAndReturn({
      data: writes.map(({ path, stored: { upload, contentType, declaredType } }) => ({
        fileId: fileAt(path).id,
        number: fileAt(path).currentVersion,
        // The session's blob: the version references the bytes the space stores once (a trigger counts it).
        objectKey: upload.objectKey,
        blobKey: upload.blobKey,
        size: upload.size ?? 0n,
        sha256: upload.sha256 ?? '',
        contentType,
        declaredType: declaredType ?? null,
        createdById: actorId,
        createdAt: now,
      })),
    });
    // By file and number: two writes of the same bytes share one blob, hence one objectKey.
    const versionOf = new Map(versions.map((version) => [`${version.fileId}/${version.number}`, version] as const));
    const ancestors = new Map(writes.flatMap(({ path }) => path.ancestors().map((folder) => [folder.toString(), folder] as const)));
    await ensureFolders(tx, spaceId, [...ancestors.values()], actorId);
    // The sessions are consumed: their objects now belong to the versions. One gone meanwhile (deleted through the
    // Upload API)? Then so are its bytes, and the write fails whole.
    const { count } = await tx.upload.deleteMany({ where: { id: { in: writes.map(({ stored }) => stored.upload.id) }, status: 'ready' } });
    if (count !== writes.length) {
      throw conflict('The upload session was removed before the file took its bytes; send them again.', {
        path: writes.length === 1 ? paths[0] : undefined,
      });
    }
    const results = writes.map(({ path, stored }) => {
      const version = versionOf.get(`${fileAt(path).id}/${fileAt(path).currentVersion}`);
      if (!version) throw new Error(`no version row for ${path.toString()}`);
      return { written: { file: fileAt(path), version }, created: !existing.has(path.toString()), upload: stored.upload };
    });
    await this.events.stage(
      tx,
      ...results.flatMap(({ written, created: isNew, upload }) => [
        fileEvent(isNew ? EventTopic.FileCreate : EventTopic.FileVersionCreate, fileEntity(written, this.config.publicBaseUrl), actorId),
        uploadEvent(EventTopic.UploadDelete, upload, actorId),
      ]),
    );
    return results.map(({ written, created: isNew }) => ({ written, created: isNew }));
  }

  /** A file with its current version, or 404. */
  async get(spaceId: string, path: FilePath): Promise<FileWithVersion> {
    return this.withVersion(spaceId, path, undefined);
  }

  /** A file by its id (as a dialect that addresses files by id names it), with its current version, or 404. */
  async getById(spaceId: string, fileId: string): Promise<FileWithVersion> {
    const file = await this.prisma.file.findFirst({ where: { id: fileId, spaceId } });
    if (!file) throw new NotFoundError('File', fileId);
    const version = await this.prisma.fileVersion.findUnique({ where: { fileId_number: { fileId, number: file.currentVersion } } });
    if (!version) throw new NotFoundError('File', fileId);
    return { file, version };
  }

  /** One version of a file (its current one when `number` is undefined), or 404. */
  async withVersion(spaceId: string, path: FilePath, number: number | undefined): Promise<FileWithVersion> {
    const file = await this.prisma.file.findUnique({ where: { spaceId_path: { spaceId, path: path.toString() } } });
    if (!file) throw new NotFoundError('File', path.toString());
    const version = await this.prisma.fileVersion.findUnique({
      where: { fileId_number: { fileId: file.id, number: number ?? file.currentVersion } },
    });
    if (!version) throw new NotFoundError('FileVersion', `${path.toString()}@${number ?? file.currentVersion}`);
    return { file, version };
  }

  /** A file's versions, newest first. */
  async versions(spaceId: string, path: FilePath, page: Page): Promise<{ file: File; items: FileVersion[]; total: number }> {
    const { file } = await this.get(spaceId, path);
    const [items, total] = await Promise.all([
      this.prisma.fileVersion.findMany({ where: { fileId: file.id }, orderBy: { number: 'desc' }, skip: page.skip, take: page.limit }),
      this.prisma.fileVersion.count({ where: { fileId: file.id } }),
    ]);
    return { file, items, total };
  }

  async setAcl(spaceId: string, actorId: string, path: FilePath, acl: FileAcl): Promise<FileWithVersion> {
    return this.prisma.$transaction(async (tx) => {
      // Under the lock, a delete cannot take the file between this read and the update.
      await lockFilesOf(tx, spaceId);
      const existing = await tx.file.findUnique({ where: { spaceId_path: { spaceId, path: path.toString() } } });
      if (!existing) throw new NotFoundError('File', path.toString());
      const file = await tx.file.update({ where: { id: existing.id }, data: { acl, updatedById: actorId, updatedAt: new Date() } });
      const version = await tx.fileVersion.findUniqueOrThrow({
        where: { fileId_number: { fileId: file.id, number: file.currentVersion } },
      });
      const changed = { file, version };
      if (existing.acl !== acl)
        await this.events.stage(tx, fileEvent(EventTopic.FileAclChange, fileEntity(changed, this.config.publicBaseUrl), actorId));
      return changed;
    });
  }

  /** Deletes one version; the last one left takes the file with it. Its object goes after the commit. */
  async deleteVersion(spaceId: string, actorId: string, path: FilePath, number: number): Promise<void> {
    const released = await this.prisma.$transaction(async (tx) => {
      await lockFilesOf(tx, spaceId);
      const { file, version } = await this.versionIn(tx, spaceId, path, number);
      const remaining = await tx.fileVersion.findFirst({
        where: { fileId: file.id, number: { not: number } },
        orderBy: { number: 'desc' },
      });
      if (!remaining) {
        await this.removeFile(tx, file, version, actorId);
        return version;
      }
      await tx.fileVersion.delete({ where: { fileId_number: { fileId: file.id, number } } });
      // The newest version left becomes current when the current one goes; deleting an older one changes nothing else.
      const deletedCurrent = number === file.currentVersion;
      const updated = await tx.file.update({
        where: { id: file.id },
        data: { currentVersion: deletedCurrent ? remaining.number : file.currentVersion, updatedById: actorId, updatedAt: new Date() },
      });
      const current = deletedCurrent
        ? remaining
        : await tx.fileVersion.findUniqueOrThrow({ where: { fileId_number: { fileId: file.id, number: file.currentVersion } } });
      await this.events.stage(
        tx,
        fileEvent(EventTopic.FileVersionDelete, fileEntity({ file: updated, version: current }, this.config.publicBaseUrl), actorId),
      );
      return version;
    });
    await this.removeObjects(spaceId, [released]);
  }

  /** Deletes a file, every version of it, and the implicit folders it leaves empty. */
  async delete(spaceId: string, actorId: string, path: FilePath): Promise<void> {
    const released = await this.prisma.$transaction(async (tx) => {
      await lockFilesOf(tx, spaceId);
      const { file, version } = await this.versionIn(tx, spaceId, path, undefined);
      const versions = await tx.fileVersion.findMany({
        where: { fileId: file.id },
        select: { objectKey: true, blobKey: true, sha256: true },
      });
      await this.removeFile(tx, file, version, actorId);
      return versions;
    });
    await this.removeObjects(spaceId, released);
  }

  private async removeFile(tx: Prisma.TransactionClient, file: File, current: FileVersion, actorId: string): Promise<void> {
    await tx.file.delete({ where: { id: file.id } });
    await pruneEmptyFolders(tx, file.spaceId, FilePath.parse(file.path).parent);
    await this.events.stage(
      tx,
      fileEvent(EventTopic.FileDelete, fileEntity({ file, version: current }, this.config.publicBaseUrl), actorId),
    );
  }

  private async versionIn(
    tx: Prisma.TransactionClient,
    spaceId: string,
    path: FilePath,
    number: number | undefined,
  ): Promise<FileWithVersion> {
    const file = await tx.file.findUnique({ where: { spaceId_path: { spaceId, path: path.toString() } } });
    if (!file) throw new NotFoundError('File', path.toString());
    const version = await tx.fileVersion.findUnique({
      where: { fileId_number: { fileId: file.id, number: number ?? file.currentVersion } },
    });
    if (!version) throw new NotFoundError('FileVersion', `${path.toString()}@${number ?? file.currentVersion}`);
    return { file, version };
  }

  /** Creates an (explicit) empty folder; one that exists already is made explicit. `created` is false when it existed. */
  async createFolder(spaceId: string, actorId: string, path: FilePath): Promise<{ folder: FileFolder; created: boolean }> {
    try {
      return await this.prisma.$transaction((tx) => this.recordFolder(tx, spaceId, actorId, path));
    } catch (error) {
      throw explainConstraint(error, spaceId);
    }
  }

  /**
   * {@link createFolder} inside the caller's transaction (a ZIP expansion's
   * directory entries and target folder commit with its files). `changed` is
   * false when the folder was explicit already.
   */
  async recordFolder(
    tx: Prisma.TransactionClient,
    spaceId: string,
    actorId: string,
    path: FilePath,
  ): Promise<{ folder: FileFolder; created: boolean; changed: boolean }> {
    await lockFilesOf(tx, spaceId);
    if (await tx.file.findUnique({ where: { spaceId_path: { spaceId, path: path.toString() } }, select: { id: true } })) {
      throw conflict('A file has this path; a folder cannot have it too.', { path: path.toString() });
    }
    await this.assertNoFileAbove(tx, spaceId, path);
    const key = { spaceId_path: { spaceId, path: path.toString() } };
    const existing = await tx.fileFolder.findUnique({ where: key });
    if (existing?.explicit) return { folder: existing, created: false, changed: false };
    await ensureFolders(tx, spaceId, path.ancestors(), actorId);
    const folder = existing
      ? await tx.fileFolder.update({ where: key, data: { explicit: true } })
      : await tx.fileFolder.create({ data: { ...folderRow(spaceId, path, actorId), explicit: true } });
    await this.events.stage(tx, folderEvent(EventTopic.FolderCreate, folder, actorId));
    return { folder, created: existing === null, changed: true };
  }

  /** 409 when `path` cannot be a folder: a file has it, or a folder above it is a file. */
  async assertFolderFits(spaceId: string, path: FilePath): Promise<void> {
    if (await this.prisma.file.findUnique({ where: { spaceId_path: { spaceId, path: path.toString() } }, select: { id: true } })) {
      throw conflict('A file has this path; a folder cannot have it too.', { path: path.toString() });
    }
    await this.assertNoFileAbove(this.prisma, spaceId, path);
  }

  /** Deletes an empty folder (409 while it holds anything); implicit folders above it that it leaves empty go too. */
  async deleteFolder(spaceId: string, actorId: string, path: FilePath): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      await lockFilesOf(tx, spaceId);
      const folder = await tx.fileFolder.findUnique({ where: { spaceId_path: { spaceId, path: path.toString() } } });
      if (!folder) throw new NotFoundError('Folder', path.toString());
      const [files, folders] = await Promise.all([
        tx.file.count({ where: { spaceId, folder: folder.path } }),
        tx.fileFolder.count({ where: { spaceId, parent: folder.path } }),
      ]);
      if (files + folders > 0) throw conflict('The folder is not empty.', { path: folder.path, files, folders });
      await tx.fileFolder.delete({ where: { spaceId_path: { spaceId, path: folder.path } } });
      await pruneEmptyFolders(tx, spaceId, path.parent);
      await this.events.stage(tx, folderEvent(EventTopic.FolderDelete, folder, actorId));
    });
  }

  /**
   * A folder's subfolders (first) and files, by name; 404 for a folder that
   * does not exist (the root always does). The folder's existence and counts,
   * its subfolders on the page and its files from `skip` on are read at once:
   * one round trip when the folder has no subfolders or the page is the first
   * (the files then start at `skip`, or at 0). Other pages read the files again
   * from where the subfolders end.
   */
  async list(spaceId: string, folder: FilePath, page: Page): Promise<{ items: FolderEntry[]; total: number }> {
    const parent = folder.toString();
    const [[counts], folders, filesFromSkip] = await Promise.all([
      this.prisma.$queryRaw<{ found: boolean; files: bigint; folders: bigint }[]>`
        SELECT EXISTS (SELECT 1 FROM "FileFolder" WHERE "spaceId" = ${spaceId} AND "path" = ${parent}) AS "found",
               coalesce(c."files", 0)::bigint AS "files", coalesce(c."folders", 0)::bigint AS "folders"
        FROM (SELECT 1) AS one
        LEFT JOIN "FolderCount" c ON c."spaceId" = ${spaceId} AND c."path" = ${parent}`,
      this.prisma.fileFolder.findMany({ where: { spaceId, parent }, orderBy: { name: 'asc' }, skip: page.skip, take: page.limit }),
      this.filesOnPage(spaceId, parent, page.skip, page.limit),
    ]);
    if (!folder.isRoot && !counts?.found) throw new NotFoundError('Folder', parent);
    // Kept exact by PostgreSQL in the transaction of every file and folder change (FolderCount).
    const folderCount = Number(counts?.folders ?? 0);
    const fileCount = Number(counts?.files ?? 0);
    const fileLimit = page.limit - folders.length;
    const files =
      folderCount === 0 || page.skip === 0
        ? filesFromSkip.slice(0, fileLimit)
        : fileLimit > 0
          ? await this.filesOnPage(spaceId, parent, Math.max(0, page.skip - folderCount), fileLimit)
          : [];
    return {
      items: [
        ...folders.map((row) => ({ kind: 'folder' as const, folder: row })),
        ...files.map((file) => ({ kind: 'file' as const, file })),
      ],
      total: folderCount + fileCount,
    };
  }

  /** `limit` files of a folder from `offset` on, by name, each with its current version (one joined read). */
  private async filesOnPage(spaceId: string, parent: string, offset: number, limit: number): Promise<FileWithVersion[]> {
    const rows = await this.prisma.$queryRaw<Record<string, unknown>[]>`
      SELECT ${FILE_COLUMNS.sql}, ${VERSION_COLUMNS.sql}
      FROM (
        SELECT * FROM "File" WHERE "spaceId" = ${spaceId} AND "folder" = ${parent} ORDER BY "name" OFFSET ${offset} LIMIT ${limit}
      ) AS f
      JOIN "FileVersion" v ON v."fileId" = f."id" AND v."number" = f."currentVersion"
      ORDER BY f."name"`;
    return rows.map((row) => ({ file: rowOf<File>(row, FILE_COLUMNS), version: rowOf<FileVersion>(row, VERSION_COLUMNS) }));
  }

  /**
   * A URL that fetches one version of a file without a token until it
   * expires, whatever the file's ACL: `expiresInSeconds` (default
   * FILE_URL_DEFAULT_SECONDS) from 1 up to FILE_URL_MAX_SECONDS.
   */
  async signedUrl(
    spaceId: string,
    path: FilePath,
    options: {
      version?: number | undefined;
      expiresInSeconds?: number | undefined;
      /** Images API parameters (checked, libs/media renditionQueryOf): the URL is for that rendition only. */
      rendition?: Readonly<Record<string, string>> | undefined;
    },
  ): Promise<SignedFileUrl> {
    const { defaultUrlSeconds, maxUrlSeconds } = this.config.files;
    const lifetime = options.expiresInSeconds ?? defaultUrlSeconds;
    if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > maxUrlSeconds) {
      throw new HangarError('InvalidQuery', `expiresIn must be a whole number of seconds from 1 to ${maxUrlSeconds}.`, {
        parameter: 'expiresIn',
      });
    }
    const { file, version } = await this.withVersion(spaceId, path, options.version);
    const expiresAt = this.signer.now() + lifetime;
    const rendition = options.rendition !== undefined && Object.keys(options.rendition).length > 0 ? options.rendition : undefined;
    if (this.config.files.urlMode === 'presigned' && rendition !== undefined) {
      throw new HangarError(
        'BadRequest',
        'Renditions are made by Hangar, not storage: a presigned URL (FILE_URL_MODE=presigned) cannot carry image parameters.',
        { setting: 'FILE_URL_MODE' },
      );
    }
    if (this.config.files.urlMode === 'presigned') {
      // Storage answers it, not the api: it must send the same safe type and disposition the api would.
      const { contentType, contentDisposition } = deliveryHeaders(version.contentType, file.name);
      const url = await this.storage.presignedGet(version.objectKey, lifetime, {
        'response-content-type': contentType,
        'response-content-disposition': contentDisposition,
        'response-cache-control': `private, max-age=${lifetime}`,
      });
      return { url, version: version.number, expiresAt: new Date(expiresAt * 1000) };
    }
    const query = this.signer.sign({ spaceId, path, version: version.number, expiresAt, rendition });
    return {
      url: fileDeliveryUrl(this.config.publicBaseUrl, spaceId, path, query),
      version: version.number,
      expiresAt: new Date(expiresAt * 1000),
    };
  }

  /** Whether {@link signedUrl} can make URLs here (Hangar's own need FILE_URL_SIGNING_KEYS): asked before a write that answers with one. */
  get signedUrlsAvailable(): boolean {
    return this.config.files.urlMode === 'presigned' || this.config.files.signingKeys.length > 0;
  }

  /** A file cannot sit where a folder is, nor under a path that is a file. */
  private async assertFileFits(db: Prisma.TransactionClient, spaceId: string, path: FilePath): Promise<void> {
    await this.assertFilesFit(db, spaceId, [path]);
  }

  /** {@link assertFileFits} for many paths in two statements; among them too, no path may be above another. */
  private async assertFilesFit(db: Prisma.TransactionClient, spaceId: string, paths: readonly FilePath[]): Promise<void> {
    const names = paths.map(String);
    const folder = await db.fileFolder.findFirst({ where: { spaceId, path: { in: names } }, select: { path: true } });
    if (folder) throw conflict('A folder has this path; a file cannot have it too.', { path: folder.path });
    const written = new Set(names);
    const ancestors = new Set(paths.flatMap((path) => path.ancestors().map(String)));
    const within = [...ancestors].find((ancestor) => written.has(ancestor));
    if (within !== undefined) {
      const below = paths.find((path) => path.ancestors().some((ancestor) => ancestor.toString() === within));
      throw conflict(`${within} is a file, so it cannot be a folder too.`, { path: below?.toString() ?? within, file: within });
    }
    if (ancestors.size === 0) return;
    const file = await db.file.findFirst({ where: { spaceId, path: { in: [...ancestors] } }, select: { path: true } });
    if (file) {
      const below = paths.find((path) => path.ancestors().some((ancestor) => ancestor.toString() === file.path));
      throw conflict(`${file.path} is a file, so it cannot be a folder too.`, { path: below?.toString() ?? file.path, file: file.path });
    }
  }

  private async assertNoFileAbove(db: Prisma.TransactionClient, spaceId: string, path: FilePath): Promise<void> {
    const ancestors = path.ancestors().map(String);
    if (ancestors.length === 0) return;
    const file = await db.file.findFirst({ where: { spaceId, path: { in: ancestors } }, select: { path: true } });
    if (file) throw conflict(`${file.path} is a file, so it cannot be a folder too.`, { path: path.toString(), file: file.path });
  }

  /**
   * The bytes of deleted versions — their blobs, unless other rows reference the same bytes (the purge round reaps
   * what this misses); a version stored before blobs owns its object alone — and the renditions of bytes no file of
   * the space has any more (the sweeper backs both up).
   */
  private async removeObjects(spaceId: string, versions: readonly ReleasedVersion[]): Promise<void> {
    await this.blobs.release(versions).catch((error: unknown) => {
      // The orphan sweeper removes objects no row owns.
      const keys = versions.map((version) => version.objectKey);
      this.logger.warn({ msg: 'could not remove the objects of deleted file versions', keys, reason: (error as Error).message });
    });
    await this.renditions.release(versions.map((version) => ({ spaceId, sha256: version.sha256 })));
  }
}

/**
 * Serialises changes to one space's files and folders until the transaction
 * ends: without it, a write could put a file into a folder a concurrent delete
 * has just found empty and removed.
 */
async function lockFilesOf(tx: Prisma.TransactionClient, spaceId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS "locked" FROM pg_advisory_xact_lock(hashtextextended(${`hangar:files:${spaceId}`}, 0))`;
}

function folderRow(spaceId: string, path: FilePath, actorId: string) {
  return { spaceId, path: path.toString(), parent: path.parent.toString(), name: path.name, createdById: actorId };
}

/** The implicit folders a file's path passes through (those that exist already are left as they are). */
async function ensureFolders(tx: Prisma.TransactionClient, spaceId: string, folders: readonly FilePath[], actorId: string): Promise<void> {
  if (folders.length === 0) return;
  await tx.fileFolder.createMany({ data: folders.map((folder) => folderRow(spaceId, folder, actorId)), skipDuplicates: true });
}

/** Removes `folder` and then each folder above it while it is implicit and empty. */
async function pruneEmptyFolders(tx: Prisma.TransactionClient, spaceId: string, folder: FilePath): Promise<void> {
  for (const candidate of folder.isRoot ? [] : [folder, ...folder.ancestors()]) {
    const path = candidate.toString();
    const removed = await tx.$executeRaw`
      DELETE FROM "FileFolder" f
      WHERE f."spaceId" = ${spaceId} AND f."path" = ${path} AND NOT f."explicit"
        AND NOT EXISTS (SELECT 1 FROM "File" WHERE "spaceId" = ${spaceId} AND "folder" = ${path})
        AND NOT EXISTS (SELECT 1 FROM "FileFolder" c WHERE c."spaceId" = ${spaceId} AND c."parent" = ${path})`;
    if (removed === 0) return;
  }
}

/** The space went away while a write was under way: its files went with it. */
function explainConstraint(error: unknown, spaceId: string): unknown {
  return constraintViolationOf(error)?.kind === 'foreign-key' ? new NotFoundError('Space', spaceId) : error;
}

/** Passes `chunks` through, keeping copies of its first SNIFF_BYTES bytes in `head` (for sniffing the type without a second read). */
async function* keepingHead(chunks: AsyncIterable<Buffer>, head: Buffer[]): AsyncGenerator<Buffer> {
  let kept = 0;
  for await (const chunk of chunks) {
    if (kept < SNIFF_BYTES) {
      const piece = Buffer.from(chunk.subarray(0, SNIFF_BYTES - kept));
      head.push(piece);
      kept += piece.length;
    }
    yield chunk;
  }
}

/** A deleted version's stored bytes: its blob's (shared, reaped when unreferenced), or its own object (blobKey null). */
type ReleasedVersion = Pick<FileVersion, 'objectKey' | 'blobKey' | 'sha256'>;

/**
 * Every column of File and of FileVersion under a prefix of its own, so that one joined read gives both rows whole
 * (and still does when they gain columns).
 */
interface JoinedColumns {
  readonly sql: Prisma.Sql;
  /** Each column's name in the row and in the joined read. */
  readonly names: readonly (readonly [column: string, joined: string])[];
}

function joinedColumns(alias: string, prefix: string, columns: readonly string[]): JoinedColumns {
  const names = columns.map((column) => [column, `${prefix}${column}`] as const);
  return { sql: Prisma.raw(names.map(([column, joined]) => `${alias}."${column}" AS "${joined}"`).join(', ')), names };
}

const FILE_COLUMNS = joinedColumns('f', 'f_', Object.values(Prisma.FileScalarFieldEnum));
const VERSION_COLUMNS = joinedColumns('v', 'v_', Object.values(Prisma.FileVersionScalarFieldEnum));

/** One row of a joined read (joinedColumns); raw reads give dates and big integers typed as Prisma does. */
function rowOf<Row>(joined: Record<string, unknown>, columns: JoinedColumns): Row {
  const row: Record<string, unknown> = {};
  for (const [column, name] of columns.names) row[column] = joined[name];
  return row as Row;
}
