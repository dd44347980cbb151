import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { NotFoundError, ServiceUnavailableError } from '@hangar/domain';
import { deliveryHeaders } from '@hangar/media';
import { isNotFound, isStorageUnavailable, StorageService } from '@hangar/storage';
import type { FileWithVersion } from './file-entity';
import type { FilePath } from './file-path';
import { versionNumberOf } from './version-number';
import { FileUrlSigner, type SignedQuery } from './file-url-signer';
import { FilesService } from './files.service';

/** One stored version as a response sends it. */
export interface DeliverableFile {
  readonly spaceId: string;
  readonly objectKey: string;
  /** The SHA-256 of the bytes (its renditions are named after it). */
  readonly sha256: string;
  readonly fileName: string;
  readonly version: number;
  readonly size: number;
  /** Strong: the SHA-256 of the bytes. */
  readonly etag: string;
  readonly lastModified: Date;
  /** Only passive types, else a download (libs/media `deliveryHeaders`). */
  readonly contentType: string;
  readonly contentDisposition: string;
}

/**
 * How long a token-less response may be kept: the stable URL of a public file
 * changes with every write (`revalidate`: caches ask again, a 304 when
 * unchanged); a version's URL never changes (`immutable`); a signed URL may
 * be kept privately until it expires (`until`, seconds since the epoch).
 */
export type Freshness =
  { readonly kind: 'revalidate' } | { readonly kind: 'immutable' } | { readonly kind: 'until'; readonly expiresAt: number };

/** Who may have a file's bytes without a token, and the bytes themselves. */
@Injectable()
export class FileDeliveryService {
  constructor(
    private readonly files: FilesService,
    private readonly signer: FileUrlSigner,
    private readonly storage: StorageService,
  ) {}

  /** A version for a member of the space (the management api): any ACL. */
  async forMember(spaceId: string, path: FilePath, version: number | undefined): Promise<DeliverableFile> {
    return deliverable(await this.files.withVersion(spaceId, path, version));
  }

  /**
   * A version for anyone holding its URL. A signed URL (any of `exp`, `kid`,
   * `sig` present; its signature covers `rendition`, the Images API
   * parameters the URL carries) is checked before anything is looked up — 403 saying
   * whether it expired, was changed or names an unknown key — and then serves
   * its version whatever the ACL. A plain URL serves public files only: a
   * private file is 404 there, exactly as a missing one, so its URL tells
   * nobody it exists.
   */
  async forAnyone(
    spaceId: string,
    path: FilePath,
    query: SignedQuery,
    rendition: Readonly<Record<string, string>> = {},
  ): Promise<{ file: DeliverableFile; freshness: Freshness }> {
    if (query.exp !== undefined || query.kid !== undefined || query.sig !== undefined) {
      const grant = this.signer.verify(spaceId, path, query, rendition);
      const file = deliverable(await this.files.withVersion(spaceId, path, grant.version));
      return { file, freshness: { kind: 'until', expiresAt: grant.expiresAt } };
    }
    const version = versionNumberOf(query.version);
    // One answer for everything missing or private ("File", never "FileVersion"): the URL reveals nothing about a private file.
    const found = await this.files.withVersion(spaceId, path, version).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError('File', path.toString()) : error;
    });
    if (found.file.acl !== 'public') throw new NotFoundError('File', path.toString());
    return { file: deliverable(found), freshness: version === undefined ? { kind: 'revalidate' } : { kind: 'immutable' } };
  }

  /**
   * The current version of a public file found by its id (a dialect's
   * token-less URL): a private or missing one is the same 404.
   */
  async publicById(spaceId: string, fileId: string): Promise<DeliverableFile> {
    const found = await this.files.getById(spaceId, fileId).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError('File', fileId) : error;
    });
    if (found.file.acl !== 'public') throw new NotFoundError('File', fileId);
    return deliverable(found);
  }

  /** The stored bytes (or a range); a version deleted since it was found is a 404, storage out of reach a 503. */
  async read(file: DeliverableFile, range?: { start: number; end: number }): Promise<Readable> {
    try {
      return await this.storage.read(file.objectKey, range);
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError('File');
      if (isStorageUnavailable(error)) throw new ServiceUnavailableError('storage');
      throw error;
    }
  }

  now(): number {
    return this.signer.now();
  }
}

function deliverable({ file, version }: FileWithVersion): DeliverableFile {
  const { contentType, contentDisposition } = deliveryHeaders(version.contentType, file.name);
  return {
    spaceId: file.spaceId,
    objectKey: version.objectKey,
    sha256: version.sha256,
    fileName: file.name,
    version: version.number,
    size: Number(version.size),
    etag: `"${version.sha256}"`,
    lastModified: version.createdAt,
    contentType,
    contentDisposition,
  };
}
