import { Inject, Injectable, Logger } from '@nestjs/common';
import sharp from 'sharp';
import { assetFileUrl } from '@hangar/assets';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { type AssetFile, type Prisma, PrismaService } from '@hangar/database';
import { type JobName, type JobPayloads, PermanentJobError } from '@hangar/queue';
import { isNotFound, StorageService } from '@hangar/storage';
import { refusalReason } from './content-sniffing';

type Payload = JobPayloads[typeof JobName.ProcessAssetFile];

/** Enough for file-type's magic numbers and for the headers of JPEG, PNG, WebP, GIF and AVIF. */
const SNIFF_BYTES = 4_100;
const IMAGE_HEADER_BYTES = 1024 * 1024;
/** Beyond this, image metadata is only read from the header bytes (never the whole file into memory). */
const FULL_READ_LIMIT = 32 * 1024 * 1024;

interface StoredFile {
  contentType: string;
  fileName: string;
  url?: string;
  uploadFrom?: { sys: { id: string } };
  details?: unknown;
}
type Fields = { file?: Record<string, StoredFile> } & Record<string, unknown>;

/**
 * Turns a linked upload into an asset's file: a server-side copy to the
 * asset's own key, the real type from the content, size and SHA-256 (kept
 * from the upload, which measured them while streaming), image dimensions,
 * then `fields.file[locale]` gets its url. Idempotent: a rerun of a job that
 * already applied, or that a newer request superseded, changes nothing.
 */
@Injectable()
export class AssetFileProcessingService {
  private readonly logger = new Logger(AssetFileProcessingService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
  ) {}

  async process(payload: Payload): Promise<void> {
    const request = await this.currentRequest(payload);
    if (!request) return;
    await this.prisma.assetFile.update({ where: this.fileKey(payload), data: { attempts: { increment: 1 } } });

    const upload = await this.prisma.upload.findFirst({
      where: {
        id: request.uploadId,
        spaceId: payload.spaceId,
        environmentId: payload.environmentId,
        status: 'ready',
        expiresAt: { gt: new Date() },
      },
    });
    if (!upload) throw new PermanentJobError(`Upload ${request.uploadId} has expired or no longer exists.`);

    try {
      await this.storage.copy(upload.objectKey, request.objectKey);
    } catch (error) {
      if (isNotFound(error)) throw new PermanentJobError(`The stored bytes of upload ${upload.id} are missing.`);
      throw error;
    }
    try {
      const head = await this.storage.readHead(request.objectKey, SNIFF_BYTES);
      const { fileTypeFromBuffer } = await import('file-type');
      const detected = (await fileTypeFromBuffer(head))?.mime;
      const refusal = refusalReason(request.declaredType, request.fileName, detected, head);
      if (refusal) throw new PermanentJobError(refusal);
      const contentType = detected ?? request.declaredType;
      const size = Number(upload.size ?? 0);
      const image =
        contentType.startsWith('image/') && contentType !== 'image/svg+xml' ? await this.imageSize(request.objectKey, size) : undefined;
      await this.apply(payload, request, { contentType, size, sha256: upload.sha256, image });
    } catch (error) {
      if (error instanceof PermanentJobError) await this.storage.remove(request.objectKey).catch(() => undefined);
      throw error;
    }
  }

  /** Marks the request failed with its reason, unless a newer one replaced it. */
  async recordFailure(payload: Payload, reason: string): Promise<void> {
    await this.prisma.assetFile.updateMany({
      where: { ...this.fileKey(payload).spaceId_environmentId_assetId_locale, requestedVersion: payload.version, status: 'processing' },
      data: { status: 'failed', failureReason: reason },
    });
    this.logger.warn({ msg: 'asset file processing failed', assetId: payload.assetId, locale: payload.locale, reason });
  }

  private fileKey(payload: Payload) {
    const { spaceId, environmentId, assetId, locale } = payload;
    return { spaceId_environmentId_assetId_locale: { spaceId, environmentId, assetId, locale } };
  }

  /** The request this job is for, if it is still the one waiting on this locale. */
  private async currentRequest(payload: Payload): Promise<(AssetFile & { declaredType: string }) | undefined> {
    const file = await this.prisma.assetFile.findUnique({ where: this.fileKey(payload), include: { asset: true } });
    if (!file || file.status !== 'processing' || file.requestedVersion !== payload.version) return undefined;
    const pending = (file.asset.fields as Fields).file?.[payload.locale];
    if (!pending || pending.uploadFrom?.sys.id !== file.uploadId) return undefined;
    const { asset: _asset, ...row } = file;
    return { ...row, declaredType: pending.contentType };
  }

  private async imageSize(objectKey: string, size: number): Promise<{ width: number; height: number }> {
    const { maxPixels } = this.config.images;
    const read = async (bytes: Buffer) => sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' }).metadata();
    let metadata;
    try {
      metadata = await read(await this.storage.readHead(objectKey, IMAGE_HEADER_BYTES));
    } catch (headerError) {
      if (size <= IMAGE_HEADER_BYTES || size > FULL_READ_LIMIT)
        throw new PermanentJobError(`The image could not be read: ${(headerError as Error).message}`);
      try {
        metadata = await read(await this.storage.readHead(objectKey, size));
      } catch (error) {
        throw new PermanentJobError(`The image could not be read: ${(error as Error).message}`);
      }
    }
    const { width, height } = metadata;
    if (!width || !height) throw new PermanentJobError('The image has no dimensions.');
    if (width * height > maxPixels) {
      throw new PermanentJobError(`The image is ${width}×${height} pixels, over the limit of ${maxPixels} (decompression bomb guard).`);
    }
    return { width, height };
  }

  /** Writes the result if the asset still waits for exactly this request; else drops the copy. */
  private async apply(
    payload: Payload,
    request: AssetFile,
    result: { contentType: string; size: number; sha256: string | null; image?: { width: number; height: number } },
  ): Promise<void> {
    const applied = await this.prisma.$transaction(async (tx) => {
      const key = { spaceId: payload.spaceId, environmentId: payload.environmentId, id: payload.assetId };
      // Lock the asset row: concurrent locales of one asset apply one after the other.
      const rows = await tx.$queryRaw<{ fields: Fields; version: number }[]>`
        SELECT "fields", "version" FROM "Asset"
        WHERE "spaceId" = ${key.spaceId} AND "environmentId" = ${key.environmentId} AND "id" = ${key.id}
        FOR UPDATE`;
      const asset = rows[0];
      const pending = asset?.fields.file?.[payload.locale];
      if (!asset || pending?.uploadFrom?.sys.id !== request.uploadId) return false;
      const fields: Fields = structuredClone(asset.fields);
      fields.file = {
        ...fields.file,
        [payload.locale]: {
          contentType: result.contentType,
          fileName: request.fileName,
          url: assetFileUrl(this.config.publicBaseUrl, payload.spaceId, payload.assetId, request.token, request.fileName),
          details: { size: result.size, ...(result.image ? { image: result.image } : {}) },
        },
      };
      const defaultLocale = await tx.locale.findFirst({
        where: { spaceId: key.spaceId, environmentId: key.environmentId, isDefault: true },
        select: { code: true },
      });
      await tx.asset.update({
        where: { spaceId_environmentId_id: key },
        data: {
          fields: fields as Prisma.InputJsonValue,
          version: { increment: 1 },
          updatedAt: new Date(),
          ...(defaultLocale?.code === payload.locale ? { contentType: result.contentType } : {}),
        },
      });
      await tx.assetFile.update({
        where: this.fileKey(payload),
        data: {
          status: 'ready',
          contentType: result.contentType,
          size: result.size,
          sha256: result.sha256,
          width: result.image?.width ?? null,
          height: result.image?.height ?? null,
          failureReason: null,
        },
      });
      return true;
    });
    if (!applied) await this.storage.remove(request.objectKey).catch(() => undefined);
  }
}
