import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { PrismaService } from '@hangar/database';
import { NotFoundError, ServiceUnavailableError } from '@hangar/domain';
import { deliveryHeaders } from '@hangar/media';
import { isNotFound, isStorageUnavailable, StorageService } from '@hangar/storage';

/** A ready file behind a delivery URL, with everything its response says about it. */
export interface DeliveredFile {
  readonly spaceId: string;
  readonly objectKey: string;
  /** The SHA-256 of the bytes (null for files processed before it was kept). */
  readonly sha256: string | null;
  readonly fileName: string;
  readonly size: number;
  /** A strong entity tag: the SHA-256 of the bytes (the token for files processed before it was kept). */
  readonly etag: string;
  readonly lastModified: Date;
  /** Only passive types, else a download (libs/media `deliveryHeaders`). */
  readonly contentType: string;
  readonly contentDisposition: string;
}

/** The processed files behind delivery URLs. */
@Injectable()
export class AssetDeliveryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
  ) {}

  /**
   * The ready file behind a delivery URL — the draft's, or the one a published
   * snapshot still names after the draft's was replaced; 404 for anything that
   * does not match exactly.
   */
  async find(spaceId: string, assetId: string, token: string, fileName: string): Promise<DeliveredFile> {
    const draft = await this.prisma.assetFile.findUnique({ where: { token } });
    const file =
      draft?.status === 'ready'
        ? { ...draft, processedAt: draft.updatedAt }
        : await this.prisma.publishedAssetFile.findUnique({ where: { token } });
    if (!file || file.spaceId !== spaceId || file.assetId !== assetId || file.fileName !== fileName) {
      throw new NotFoundError('File');
    }
    const { contentType, contentDisposition } = deliveryHeaders(file.contentType, file.fileName);
    return {
      spaceId: file.spaceId,
      objectKey: file.objectKey,
      sha256: file.sha256,
      fileName: file.fileName,
      size: Number(file.size ?? 0),
      etag: `"${file.sha256 ?? file.token}"`,
      lastModified: file.processedAt,
      contentType,
      contentDisposition,
    };
  }

  /**
   * The stored bytes (or a range of them). A file deleted since {@link find}
   * answered is a 404 like any other missing file; storage that cannot be
   * reached is a 503.
   */
  async read(file: DeliveredFile, range?: { start: number; end: number }): Promise<Readable> {
    try {
      return await this.storage.read(file.objectKey, range);
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError('File');
      if (isStorageUnavailable(error)) throw new ServiceUnavailableError('storage');
      throw error;
    }
  }
}
