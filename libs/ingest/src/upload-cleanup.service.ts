import { Injectable, Logger } from '@nestjs/common';
import { type Prisma, PrismaService, type Upload } from '@hangar/database';
import { DomainEventsService, EventTopic } from '@hangar/events';
import { StorageService } from '@hangar/storage';
import { BlobStore } from './blob-store';
import { uploadEvent } from './upload-entity';
import { uploadTailKey } from './upload-keys';

/** S3's multi-object delete takes at most 1000 keys. */
export const PURGE_BATCH_SIZE = 1000;

/** Expired ready uploads own no object: their rows go this many batches' worth at a time. */
const READY_BATCHES = 5;

/** One purge batch: how many rows went, and the removal of the bytes they let go (see `purgeBatch`). */
export interface PurgedBatch {
  readonly purged: number;
  readonly released: Promise<void>;
}

/** What removing an upload needs to know about where its bytes are. */
type StoredUpload = Pick<Upload, 'id' | 'objectKey' | 'blobKey' | 'multipartUploadId' | 'receivedBytes' | 'tailBytes'>;

/**
 * Every object an upload owns: the object of a session not yet ready, and its tail. A ready upload's bytes are a
 * blob: deleting the row lets the reference go (a trigger counts it), and the purge round reaps the blob once
 * nothing else references it — the same bytes may be an asset's file.
 */
function keysOf(upload: StoredUpload): string[] {
  const own = upload.blobKey === null ? [upload.objectKey] : [];
  return upload.tailBytes > 0 ? [...own, uploadTailKey(upload.objectKey, Number(upload.receivedBytes))] : own;
}

/**
 * Removes uploads in the one order that never strands data: mark the rows
 * `deleting` (never served again), delete their objects and abort their
 * multipart uploads, then delete the rows. A crash between two steps leaves
 * rows marked `deleting`, which the next purge round finishes; deleting an
 * object or aborting an upload twice is harmless.
 */
@Injectable()
export class UploadCleanupService {
  private readonly logger = new Logger(UploadCleanupService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
    private readonly events: DomainEventsService,
    private readonly blobs: BlobStore,
  ) {}

  /** Deletes one live upload matching `where` (staging `Hangar.Upload.delete`); false when there is none. */
  async deleteOne(where: Prisma.UploadWhereInput, actorId: string): Promise<boolean> {
    const upload = await this.prisma.$transaction(async (tx) => {
      const found = await tx.upload.findFirst({ where });
      if (!found) return undefined;
      const { count } = await tx.upload.updateMany({ where: { id: found.id, ...where }, data: { status: 'deleting' } });
      if (count === 0) return undefined;
      await this.events.stage(tx, uploadEvent(EventTopic.UploadDelete, found, actorId));
      return found;
    });
    if (!upload) return false;
    await this.removeStored([upload]);
    await this.prisma.upload.deleteMany({ where: { id: upload.id } });
    await this.releaseBlobs([upload]);
    return true;
  }

  /**
   * Gives up on a session whose body never fully arrived. Best effort: when
   * storage or the database is down, the row stays (marked `deleting`, or
   * `pending` until it is abandoned) and the purge finishes the job. The row
   * only goes once its bytes are known to be gone.
   */
  async discard(upload: StoredUpload, { objectMayExist = true } = {}): Promise<void> {
    try {
      if (objectMayExist || upload.multipartUploadId !== null) await this.removeStored([upload]);
    } catch (error) {
      this.logger.warn({
        msg: 'could not remove a discarded upload; the purge will',
        uploadId: upload.id,
        reason: (error as Error).message,
      });
      await this.prisma.upload.updateMany({ where: { id: upload.id }, data: { status: 'deleting' } }).catch(() => undefined);
      return;
    }
    const deleted = await this.prisma.upload.deleteMany({ where: { id: upload.id } }).then(
      () => true,
      (error: unknown) => {
        this.logger.warn({
          msg: 'could not delete a discarded upload row; the purge will',
          uploadId: upload.id,
          reason: (error as Error).message,
        });
        return false;
      },
    );
    if (deleted) await this.releaseBlobs([upload]);
  }

  /**
   * Purges one batch of uploads that expired (whatever their status), are
   * marked `deleting`, or are still `pending` long after they started — their
   * body never finished because the api that received it died (a resumable
   * session is pending by design until it expires: only expiry takes it).
   * Ready uploads that expire stage `Hangar.Upload.expire`. Answers how many
   * rows it removed (0: nothing is left to purge) and, for expired ready
   * uploads, the removal of the blobs they let go still under way: the caller
   * may purge the next batch's rows meanwhile (the rows are PostgreSQL's work,
   * the bytes MinIO's). `released` never fails.
   */
  async purgeBatch(now: Date, abandonedBefore: Date, batchSize = PURGE_BATCH_SIZE): Promise<PurgedBatch> {
    const expired = await this.purgeExpiredReady(now, batchSize * READY_BATCHES);
    if (expired.length > 0) return { purged: expired.length, released: this.releaseBlobs(expired) };
    return { purged: await this.purgeUnfinished(now, abandonedBefore, batchSize), released: Promise.resolve() };
  }

  /**
   * Ready uploads past their expiry: their bytes are blobs, which the rows
   * only reference, so the rows go in one statement with their events (no
   * object of theirs to delete first); the blobs they let go are reaped next,
   * unless an asset or a file references the same bytes.
   */
  private async purgeExpiredReady(now: Date, limit: number): Promise<Upload[]> {
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.upload.findMany({
        where: { status: 'ready', blobKey: { not: null }, expiresAt: { lte: now } },
        orderBy: { expiresAt: 'asc' },
        take: limit,
      });
      if (rows.length === 0) return rows;
      // Only those still ready: one deleted through the API meanwhile staged its own event.
      const deleted = await tx.$queryRaw<{ id: string }[]>`
        DELETE FROM "Upload" WHERE "id" = ANY(${rows.map((upload) => upload.id)}::text[]) AND "status" = 'ready' RETURNING "id"`;
      const gone = new Set(deleted.map((row) => row.id));
      const expired = rows.filter((upload) => gone.has(upload.id));
      await this.events.stage(tx, ...expired.map((upload) => uploadEvent(EventTopic.UploadExpire, upload)));
      return expired;
    });
  }

  /**
   * Uploads whose bytes the rows own (sessions that never completed, rows
   * marked `deleting`), in the order that never strands data: mark, delete the
   * objects and multipart uploads, delete the rows.
   */
  private async purgeUnfinished(now: Date, abandonedBefore: Date, batchSize: number): Promise<number> {
    const batch = await this.prisma.$transaction(async (tx) => {
      const rows = await tx.upload.findMany({
        where: {
          OR: [
            { expiresAt: { lte: now } },
            { status: 'deleting' },
            { status: 'pending', resumable: false, createdAt: { lt: abandonedBefore } },
          ],
        },
        orderBy: { expiresAt: 'asc' },
        take: batchSize,
      });
      if (rows.length === 0) return rows;
      await tx.upload.updateMany({ where: { id: { in: rows.map((upload) => upload.id) } }, data: { status: 'deleting' } });
      await this.events.stage(
        tx,
        ...rows.filter((upload) => upload.status === 'ready').map((upload) => uploadEvent(EventTopic.UploadExpire, upload)),
      );
      return rows;
    });
    if (batch.length === 0) return 0;
    await this.removeStored(batch);
    const { count } = await this.prisma.upload.deleteMany({ where: { id: { in: batch.map((upload) => upload.id) } } });
    await this.releaseBlobs(batch);
    return count;
  }

  /**
   * The blobs of deleted uploads, at once if nothing else references them: an upload's bytes are read by nothing
   * but processing, which fails on a deleted upload anyway, so they need not wait for the purge round's grace
   * period. A blob an asset or file also references stays. Best effort: the purge round reaps what this misses.
   */
  private async releaseBlobs(uploads: readonly StoredUpload[]): Promise<void> {
    await this.blobs.reapIfUnreferenced(uploads.map((upload) => upload.blobKey)).catch((error: unknown) => {
      this.logger.warn({ msg: 'could not remove the blobs of deleted uploads; the purge round will', reason: (error as Error).message });
    });
  }

  /** Objects first (one multi-object delete), then the multipart uploads of sessions that had begun one. */
  private async removeStored(uploads: readonly StoredUpload[]): Promise<void> {
    const keys = uploads.flatMap(keysOf);
    if (keys.length > 0) await this.storage.removeMany(keys);
    for (const upload of uploads) {
      if (upload.multipartUploadId !== null) await this.storage.abortMultipart(upload.objectKey, upload.multipartUploadId);
    }
  }
}
