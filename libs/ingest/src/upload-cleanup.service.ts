import { Injectable, Logger } from '@nestjs/common';
import { type Prisma, PrismaService, type Upload } from '@hangar/database';
import { DomainEventsService, EventTopic } from '@hangar/events';
import { StorageService } from '@hangar/storage';
import { uploadEvent } from './upload-entity';
import { uploadTailKey } from './upload-keys';

/** S3's multi-object delete takes at most 1000 keys. */
export const PURGE_BATCH_SIZE = 1000;

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
    await this.prisma.upload.deleteMany({ where: { id: upload.id } }).catch((error: unknown) => {
      this.logger.warn({
        msg: 'could not delete a discarded upload row; the purge will',
        uploadId: upload.id,
        reason: (error as Error).message,
      });
    });
  }

  /**
   * Purges one batch of uploads that expired (whatever their status), are
   * marked `deleting`, or are still `pending` long after they started — their
   * body never finished because the api that received it died (a resumable
   * session is pending by design until it expires: only expiry takes it). Ready uploads
   * that expire stage `Hangar.Upload.expire` as they are marked. Returns how
   * many rows it removed.
   */
  async purgeBatch(now: Date, abandonedBefore: Date, batchSize = PURGE_BATCH_SIZE): Promise<number> {
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
    return count;
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
