import { Inject, Injectable, Logger } from '@nestjs/common';
import { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { type AssetFile, type Prisma, PrismaService, type Upload } from '@hangar/database';
import { type EnvironmentTarget, HangarError } from '@hangar/domain';
import { DomainEventsService, EventTopic } from '@hangar/events';
import { liveUploads, RemoteImportService, UploadCleanupService } from '@hangar/ingest';
import {
  deliveredTypeOf,
  type ImageAnalysis,
  type ImageSource,
  MediaInspector,
  MediaRejectedError,
  refusalOf,
  SNIFF_BYTES,
} from '@hangar/media';
import { OutboundRequestError } from '@hangar/outbound';
import { type JobName, type JobPayloads, PermanentJobError } from '@hangar/queue';
import { isNotFound, StorageService } from '@hangar/storage';
import { type AssetFields, fieldsOf, fileOf, type HangarImageMetadata, type ProcessedFile, stillWaitsFor } from './asset-fields';
import { assetEvent } from './asset-entity';
import { assetFileUrl } from './asset-keys';
import { environmentLocales } from './environment-locales';

/** What a processing job names: one locale of one asset, at the version the process call was made at. */
export type ProcessingRequest = JobPayloads[typeof JobName.ProcessAssetFile];

/** Files up to this size are read whole, once (see `storedBytes`). */
const READ_WHOLE_BYTES = 1024 * 1024;

type StoredBytes = Omit<ImageSource, 'size'>;

/** A request as the worker runs it: its row, the type the client declared, and who gave its URL (remote imports). */
type RunningRequest = AssetFile & { readonly declaredType: string; readonly requestedBy: string };

interface MeasuredFile {
  /** `fields.file[locale].contentType`: the type the bytes were detected as, else the declared one. */
  readonly contentType: string;
  /** The Content-Type delivery sends: passive types only (see deliveredTypeOf). */
  readonly deliveredType: string;
  readonly size: number;
  readonly sha256: string | null;
  /** The blob of the upload's bytes, which the file references from now on. */
  readonly blobKey: string;
  /** The displayed size. */
  readonly image: { width: number; height: number } | undefined;
  /** `fields.file[locale].hangar`: raster images whose bytes were decoded. */
  readonly hangar: HangarImageMetadata | undefined;
}

/**
 * Turns a linked upload into an asset's file: a server-side copy to the
 * asset's own key, the real type from the content, size and SHA-256 (kept
 * from the upload, which measured them while streaming), for raster images
 * their displayed dimensions and Hangar's metadata (`hangar`: placeholder,
 * dominant colour, EXIF orientation, GPS), then `fields.file[locale]` gets
 * its url. A file given as a URL (`upload`) is first imported into an
 * Upload (libs/ingest, through the guarded outbound client) and then goes
 * the same way. Idempotent: a rerun of a job
 * that already applied, or that a newer request superseded, changes nothing,
 * and a rerun after an import reuses the imported Upload. Failures no retry
 * can fix are thrown as {@link PermanentJobError}.
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
    private readonly remoteImports: RemoteImportService,
    private readonly uploadCleanup: UploadCleanupService,
  ) {}

  async process(job: ProcessingRequest): Promise<void> {
    const request = await this.currentRequest(job);
    if (!request) return;
    await this.prisma.assetFile.update({ where: fileKey(job), data: { attempts: { increment: 1 } } });

    const upload = request.sourceUrl === null ? await this.linkedUpload(job, request) : await this.importedUpload(job, request);
    if (!upload) return;
    try {
      await this.makeFile(job, request, upload);
    } catch (error) {
      // A failure a retry may fix keeps the imported Upload for that retry; recordFailure releases it after the last one.
      if (error instanceof PermanentJobError) await this.releaseImport(request.sourceUrl, upload);
      throw error;
    }
    await this.releaseImport(request.sourceUrl, upload);
  }

  /** Marks the request failed with its reason (staging `Hangar.Asset.processing_failed`), unless a newer one replaced it. */
  async recordFailure(job: ProcessingRequest, reason: string): Promise<void> {
    const failed = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.assetFile.updateMany({
        where: { ...fileKey(job).spaceId_environmentId_assetId_locale, requestedVersion: job.version, status: 'processing' },
        data: { status: 'failed', failureReason: reason },
      });
      if (count === 0) return undefined;
      const asset = await tx.asset.findUnique({ where: assetKey(job), include: { files: true } });
      if (asset) await this.events.stage(tx, assetEvent(EventTopic.AssetProcessingFailed, asset));
      return asset?.files.find((file) => file.locale === job.locale);
    });
    if (!failed) return;
    this.logger.warn({ msg: 'asset file processing failed', assetId: job.assetId, locale: job.locale, reason });
    if (failed.sourceUrl !== null && failed.uploadId !== null) {
      // The last attempt imported the file but could not finish: nothing will use that Upload now.
      const upload = await this.prisma.upload.findFirst({ where: liveUploads(targetOf(job), failed.uploadId) });
      if (upload) await this.releaseImport(failed.sourceUrl, upload);
    }
  }

  /**
   * The measurements and the result, from a ready Upload. No copy: the file references the upload's blob (the
   * bytes as stored once in the space), so how long this takes does not grow with the file's size.
   */
  private async makeFile(job: ProcessingRequest, request: RunningRequest, upload: Upload): Promise<void> {
    if (upload.blobKey === null) throw new PermanentJobError(`The stored bytes of upload ${upload.id} are missing.`);
    let measured: Omit<MeasuredFile, 'sha256' | 'blobKey'>;
    try {
      measured = await this.measure(request, upload.blobKey, Number(upload.size ?? 0));
    } catch (error) {
      if (isNotFound(error)) throw new PermanentJobError(`The stored bytes of upload ${upload.id} are missing.`);
      throw error;
    }
    await this.apply(job, request, { ...measured, sha256: upload.sha256, blobKey: upload.blobKey });
  }

  /** The Upload `uploadFrom` links, while it is live. */
  private async linkedUpload(job: ProcessingRequest, request: RunningRequest): Promise<Upload> {
    const uploadId = request.uploadId ?? '';
    const upload = await this.prisma.upload.findFirst({ where: liveUploads(targetOf(job), uploadId) });
    if (!upload) throw new PermanentJobError(`Upload ${uploadId} has expired or no longer exists.`);
    return upload;
  }

  /**
   * The Upload the request's URL was imported into: the one an earlier
   * attempt imported, while it is live, else a new import, recorded on the
   * request before anything else happens so that a retry reuses it. When the
   * request was replaced during the import, the new Upload is released and
   * there is nothing to do (undefined).
   */
  private async importedUpload(job: ProcessingRequest, request: RunningRequest): Promise<Upload | undefined> {
    const target = targetOf(job);
    if (request.uploadId !== null) {
      const earlier = await this.prisma.upload.findFirst({ where: liveUploads(target, request.uploadId) });
      if (earlier) return earlier;
    }
    const upload = await this.importRemote(target, request);
    const { count } = await this.prisma.assetFile.updateMany({
      // Only this request, and only if no concurrent run of it recorded an import first.
      where: {
        ...fileKey(job).spaceId_environmentId_assetId_locale,
        token: request.token,
        status: 'processing',
        uploadId: request.uploadId,
      },
      data: { uploadId: upload.id },
    });
    if (count === 0) {
      await this.releaseImport(request.sourceUrl, upload);
      return undefined;
    }
    return upload;
  }

  /**
   * Fetches the request's URL into a new Upload owned by whoever last saved
   * the asset (the one who gave the URL). The fetch has an overall deadline
   * on top of the outbound client's connect and idle timeouts: a server that
   * keeps sending a byte now and then would otherwise hold a worker slot for
   * as long as it likes. A failure the URL or its server will give again
   * (refused address, too large, a 4xx, an empty file) is permanent; one that
   * may pass (timeouts, refused connections, 5xx, 429) is retried.
   */
  private async importRemote(target: EnvironmentTarget, request: RunningRequest): Promise<Upload> {
    const url = request.sourceUrl ?? '';
    const deadlineSeconds = this.importDeadlineSeconds();
    const deadline = AbortSignal.timeout(deadlineSeconds * 1000);
    try {
      const imported = await this.remoteImports.import(target, request.requestedBy, url, { signal: deadline });
      this.logger.log({
        msg: 'remote file imported',
        assetId: request.assetId,
        locale: request.locale,
        uploadId: imported.upload.id,
        size: Number(imported.upload.size ?? 0),
        remoteContentType: imported.contentType,
      });
      return imported.upload;
    } catch (error) {
      const failure = deadline.aborted ? deadlineError(url, deadlineSeconds) : error;
      throw isPermanentImportFailure(failure) ? new PermanentJobError((failure as Error).message) : failure;
    }
  }

  /** REMOTE_FETCH_TIMEOUT_SECONDS, but no longer than UPLOAD_ABANDON_SECONDS: the purge gives up a session still receiving then. */
  private importDeadlineSeconds(): number {
    return Math.min(this.config.remoteFetch.timeoutSeconds, this.config.uploads.abandonSeconds);
  }

  /**
   * Deletes the Upload an import made, once its request is over (applied,
   * replaced, or failed for good): nobody links it, so it would only wait
   * for the purge. A linked Upload is the client's and stays.
   */
  private async releaseImport(sourceUrl: string | null, upload: Upload): Promise<void> {
    if (sourceUrl === null) return;
    await this.uploadCleanup
      .deleteOne(liveUploads({ spaceId: upload.spaceId, environmentId: upload.environmentId }, upload.id), upload.createdById)
      .catch((error: unknown) => {
        // It expires with UPLOAD_TTL_SECONDS and the purge removes it then.
        this.logger.warn({ msg: 'could not delete an imported upload', uploadId: upload.id, reason: (error as Error).message });
      });
  }

  /** The request this job is for, if it is still the one waiting on this locale. */
  private async currentRequest(job: ProcessingRequest): Promise<RunningRequest | undefined> {
    const file = await this.prisma.assetFile.findUnique({ where: fileKey(job), include: { asset: true } });
    if (!file || file.status !== 'processing' || file.requestedVersion !== job.version) return undefined;
    const pending = fileOf(fieldsOf(file.asset), job.locale);
    if (!pending || !stillWaitsFor(pending, file)) return undefined;
    const { asset, ...row } = file;
    return { ...row, declaredType: pending.contentType, requestedBy: asset.updatedById };
  }

  /** The real type, the refusal rules, the type to deliver with, image dimensions and metadata. */
  private async measure(request: RunningRequest, objectKey: string, size: number): Promise<Omit<MeasuredFile, 'sha256' | 'blobKey'>> {
    const stored = await this.storedBytes(objectKey, size);
    const head = await stored.readHead(SNIFF_BYTES);
    const detected = await this.media.detectType(head);
    const refusal = refusalOf(request.declaredType, request.fileName, detected, head);
    if (refusal) throw new PermanentJobError(refusal.reason);
    const contentType = detected ?? request.declaredType;
    const deliveredType = deliveredTypeOf(detected, request.declaredType, head);
    if (!this.media.hasPixels(contentType)) return { contentType, deliveredType, size, image: undefined, hangar: undefined };
    try {
      const facts = await this.media.inspectImage({ size, ...stored });
      if (facts.analysis === undefined) {
        // Processed all the same (as before there was an analysis), with no `hangar`.
        this.logger.warn({ msg: 'image not analysed', assetId: request.assetId, locale: request.locale, reason: facts.notAnalysed });
        return { contentType, deliveredType, size, image: facts.size, hangar: undefined };
      }
      return { contentType, deliveredType, size, image: facts.size, hangar: hangarMetadata(facts.analysis) };
    } catch (error) {
      if (error instanceof MediaRejectedError) throw new PermanentJobError(error.message);
      throw error;
    }
  }

  /**
   * How processing reads the bytes: a small file once, whole (sniffing and image analysis then cost one storage
   * request, not two — each one a wait for the CPU on a busy machine), a larger one in ranges and streams.
   */
  private async storedBytes(objectKey: string, size: number): Promise<StoredBytes> {
    if (size > READ_WHOLE_BYTES) {
      return { readHead: (bytes) => this.storage.readHead(objectKey, bytes), open: () => this.storage.read(objectKey) };
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.read(objectKey)) chunks.push(chunk as Buffer);
    const whole = Buffer.concat(chunks);
    return { readHead: (bytes) => Promise.resolve(whole.subarray(0, bytes)), open: () => Promise.resolve(Readable.from([whole])) };
  }

  /** Writes the result if the asset still waits for exactly this request. */
  private async apply(job: ProcessingRequest, request: AssetFile, result: MeasuredFile): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const key = assetKey(job).spaceId_environmentId_id;
      // Lock the asset row: concurrent locales of one asset apply one after the other.
      const rows = await tx.$queryRaw<{ fields: AssetFields }[]>`
        SELECT "fields" FROM "Asset"
        WHERE "spaceId" = ${key.spaceId} AND "environmentId" = ${key.environmentId} AND "id" = ${key.id}
        FOR UPDATE`;
      const asset = rows[0];
      if (!asset || !stillWaitsFor(fileOf(asset.fields, job.locale), request)) return;
      const processed: ProcessedFile = {
        contentType: result.contentType,
        fileName: request.fileName,
        url: assetFileUrl(this.config.publicBaseUrl, job.spaceId, job.assetId, request.token, request.fileName),
        details: { size: result.size, ...(result.image ? { image: result.image } : {}) },
        ...(result.hangar ? { hangar: result.hangar } : {}),
      };
      const fields: AssetFields = { ...asset.fields, file: { ...asset.fields.file, [job.locale]: processed } };
      const { defaultCode } = await environmentLocales(tx, targetOf(job));
      // Only while the row is still this request: a process call since then made a new one (its own token and key).
      const { count } = await tx.assetFile.updateMany({
        where: { ...fileKey(job).spaceId_environmentId_assetId_locale, token: request.token, status: 'processing' },
        data: {
          status: 'ready',
          // The upload's blob: referenced (counted by a trigger) in this transaction, while the upload still holds it.
          objectKey: result.blobKey,
          blobKey: result.blobKey,
          contentType: result.deliveredType,
          size: result.size,
          sha256: result.sha256,
          width: result.image?.width ?? null,
          height: result.image?.height ?? null,
          failureReason: null,
        },
      });
      if (count === 0) return;
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
    });
  }
}

function hangarMetadata(analysis: ImageAnalysis): HangarImageMetadata {
  return {
    placeholder: { thumbhash: analysis.thumbhash },
    dominantColor: analysis.dominantColor,
    ...(analysis.exifOrientation !== undefined ? { exifOrientation: analysis.exifOrientation } : {}),
    hasGps: analysis.hasGps,
  };
}

function fileKey(job: ProcessingRequest) {
  const { spaceId, environmentId, assetId, locale } = job;
  return { spaceId_environmentId_assetId_locale: { spaceId, environmentId, assetId, locale } };
}

function targetOf(job: ProcessingRequest): EnvironmentTarget {
  return { spaceId: job.spaceId, environmentId: job.environmentId };
}

/**
 * Whether an import failure is about the URL or what it serves, so that
 * another attempt would meet it again: the guard's refusals, a response too
 * large, a 4xx other than 408/429, a broken TLS certificate, an empty file.
 * Timeouts, unreachable hosts, 5xx and 429 may pass; so may a database or
 * storage outage (not a HangarError, or a 503) or a session the purge gave
 * up on (409).
 */
function isPermanentImportFailure(error: unknown): boolean {
  if (error instanceof OutboundRequestError) return !error.retryable;
  return error instanceof HangarError && error.status >= 400 && error.status < 500 && error.errorId !== 'Conflict';
}

function deadlineError(url: string, seconds: number): OutboundRequestError {
  const host = URL.canParse(url) ? new URL(url).host : 'The server';
  return new OutboundRequestError('timeout', `${host} did not send the whole file within ${seconds} s.`, true);
}

function assetKey(job: ProcessingRequest) {
  return { spaceId_environmentId_id: { spaceId: job.spaceId, environmentId: job.environmentId, id: job.assetId } };
}
