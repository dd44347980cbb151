import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { type AssetFile, type Prisma, PrismaService } from '@hangar/database';
import { DomainEventsService, EventTopic } from '@hangar/events';
import { liveUploads } from '@hangar/ingest';
import { deliveredTypeOf, MediaInspector, MediaRejectedError, refusalOf, SNIFF_BYTES } from '@hangar/media';
import { type JobName, type JobPayloads, PermanentJobError } from '@hangar/queue';
import { isNotFound, StorageService } from '@hangar/storage';
import { type AssetFields, fieldsOf, fileOf, isPending, type ProcessedFile } from './asset-fields';
import { assetEvent } from './asset-entity';
import { assetFileUrl } from './asset-keys';
import { environmentLocales } from './environment-locales';

/** What a processing job names: one locale of one asset, at the version the process call was made at. */
export type ProcessingRequest = JobPayloads[typeof JobName.ProcessAssetFile];

interface MeasuredFile {
  /** `fields.file[locale].contentType`: the type the bytes were detected as, else the declared one. */
  readonly contentType: string;
  /** The Content-Type delivery sends: passive types only (see deliveredTypeOf). */
  readonly deliveredType: string;
  readonly size: number;
  readonly sha256: string | null;
  readonly image: { width: number; height: number } | undefined;
}

/**
 * Turns a linked upload into an asset's file: a server-side copy to the
 * asset's own key, the real type from the content, size and SHA-256 (kept
 * from the upload, which measured them while streaming), image dimensions,
 * then `fields.file[locale]` gets its url. Idempotent: a rerun of a job that
 * already applied, or that a newer request superseded, changes nothing.
 * Failures no retry can fix are thrown as {@link PermanentJobError}.
 */
@Injectable()
export class AssetProcessingService {
  private readonly logger = new Logger(AssetProcessingService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
    private readonly media: MediaInspector,
    private readonly events: DomainEventsService,
  ) {}

  async process(job: ProcessingRequest): Promise<void> {
    const request = await this.currentRequest(job);
    if (!request) return;
    await this.prisma.assetFile.update({ where: fileKey(job), data: { attempts: { increment: 1 } } });

    const upload = await this.prisma.upload.findFirst({
      where: liveUploads({ spaceId: job.spaceId, environmentId: job.environmentId }, request.uploadId),
    });
    if (!upload) throw new PermanentJobError(`Upload ${request.uploadId} has expired or no longer exists.`);

    try {
      await this.storage.copy(upload.objectKey, request.objectKey);
    } catch (error) {
      if (isNotFound(error)) throw new PermanentJobError(`The stored bytes of upload ${upload.id} are missing.`);
      throw error;
    }
    try {
      const measured = await this.measure(request, Number(upload.size ?? 0));
      await this.apply(job, request, { ...measured, sha256: upload.sha256 });
    } catch (error) {
      if (error instanceof PermanentJobError) await this.storage.remove(request.objectKey).catch(() => undefined);
      throw error;
    }
  }

  /** Marks the request failed with its reason (staging `Hangar.Asset.processing_failed`), unless a newer one replaced it. */
  async recordFailure(job: ProcessingRequest, reason: string): Promise<void> {
    const failed = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.assetFile.updateMany({
        where: { ...fileKey(job).spaceId_environmentId_assetId_locale, requestedVersion: job.version, status: 'processing' },
        data: { status: 'failed', failureReason: reason },
      });
      if (count === 0) return false;
      const asset = await tx.asset.findUnique({ where: assetKey(job), include: { files: true } });
      if (asset) await this.events.stage(tx, assetEvent(EventTopic.AssetProcessingFailed, asset));
      return true;
    });
    if (failed) this.logger.warn({ msg: 'asset file processing failed', assetId: job.assetId, locale: job.locale, reason });
  }

  /** The request this job is for, if it is still the one waiting on this locale. */
  private async currentRequest(job: ProcessingRequest): Promise<(AssetFile & { declaredType: string }) | undefined> {
    const file = await this.prisma.assetFile.findUnique({ where: fileKey(job), include: { asset: true } });
    if (!file || file.status !== 'processing' || file.requestedVersion !== job.version) return undefined;
    const pending = fileOf(fieldsOf(file.asset), job.locale);
    if (!isPending(pending) || pending.uploadFrom.sys.id !== file.uploadId) return undefined;
    const { asset: _asset, ...row } = file;
    return { ...row, declaredType: pending.contentType };
  }

  /** The real type, the refusal rules, the type to deliver with, image dimensions. */
  private async measure(request: AssetFile & { declaredType: string }, size: number): Promise<Omit<MeasuredFile, 'sha256'>> {
    const head = await this.storage.readHead(request.objectKey, SNIFF_BYTES);
    const detected = await this.media.detectType(head);
    const refusal = refusalOf(request.declaredType, request.fileName, detected, head);
    if (refusal) throw new PermanentJobError(refusal.reason);
    const contentType = detected ?? request.declaredType;
    const deliveredType = deliveredTypeOf(detected, request.declaredType, head);
    if (!this.media.hasPixels(contentType)) return { contentType, deliveredType, size, image: undefined };
    try {
      const image = await this.media.imageSize((bytes) => this.storage.readHead(request.objectKey, bytes), size);
      return { contentType, deliveredType, size, image };
    } catch (error) {
      if (error instanceof MediaRejectedError) throw new PermanentJobError(error.message);
      throw error;
    }
  }

  /** Writes the result if the asset still waits for exactly this request; else drops the copy. */
  private async apply(job: ProcessingRequest, request: AssetFile, result: MeasuredFile): Promise<void> {
    const applied = await this.prisma.$transaction(async (tx) => {
      const key = assetKey(job).spaceId_environmentId_id;
      // Lock the asset row: concurrent locales of one asset apply one after the other.
      const rows = await tx.$queryRaw<{ fields: AssetFields }[]>`
        SELECT "fields" FROM "Asset"
        WHERE "spaceId" = ${key.spaceId} AND "environmentId" = ${key.environmentId} AND "id" = ${key.id}
        FOR UPDATE`;
      const asset = rows[0];
      const pending = asset && fileOf(asset.fields, job.locale);
      if (!asset || !isPending(pending) || pending.uploadFrom.sys.id !== request.uploadId) return false;
      const processed: ProcessedFile = {
        contentType: result.contentType,
        fileName: request.fileName,
        url: assetFileUrl(this.config.publicBaseUrl, job.spaceId, job.assetId, request.token, request.fileName),
        details: { size: result.size, ...(result.image ? { image: result.image } : {}) },
      };
      const fields: AssetFields = { ...asset.fields, file: { ...asset.fields.file, [job.locale]: processed } };
      const { defaultCode } = await environmentLocales(tx, { spaceId: job.spaceId, environmentId: job.environmentId });
      await tx.assetFile.update({
        where: fileKey(job),
        data: {
          status: 'ready',
          contentType: result.deliveredType,
          size: result.size,
          sha256: result.sha256,
          width: result.image?.width ?? null,
          height: result.image?.height ?? null,
          failureReason: null,
        },
      });
      const updated = await tx.asset.update({
        where: assetKey(job),
        data: {
          fields: fields as Prisma.InputJsonValue,
          version: { increment: 1 },
          updatedAt: new Date(),
          ...(defaultCode === job.locale ? { contentType: result.contentType } : {}),
        },
        include: { files: true },
      });
      await this.events.stage(tx, assetEvent(EventTopic.AssetProcessed, updated));
      return true;
    });
    if (!applied) await this.storage.remove(request.objectKey).catch(() => undefined);
  }
}

function fileKey(job: ProcessingRequest) {
  const { spaceId, environmentId, assetId, locale } = job;
  return { spaceId_environmentId_assetId_locale: { spaceId, environmentId, assetId, locale } };
}

function assetKey(job: ProcessingRequest) {
  return { spaceId_environmentId_id: { spaceId: job.spaceId, environmentId: job.environmentId, id: job.assetId } };
}
