import { Injectable, Logger } from '@nestjs/common';
import { type Prisma, PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';

/** S3's multi-object delete takes at most 1000 keys. */
export const PURGE_BATCH_SIZE = 1000;

/**
 * Removes uploads in the one order that never strands data: mark the rows
 * `deleting` (never served again), delete their objects, then delete the rows.
 * A crash between two steps leaves rows marked `deleting`, which the next
 * purge round finishes; deleting an object twice is harmless.
 */
@Injectable()
export class UploadCleanupService {
  private readonly logger = new Logger(UploadCleanupService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
  ) {}

  /** Deletes one live upload matching `where`; false when there is none. */
  async deleteOne(where: Prisma.UploadWhereInput): Promise<boolean> {
    const upload = await this.prisma.upload.findFirst({ where, select: { id: true, objectKey: true } });
    if (!upload) return false;
    const { count } = await this.prisma.upload.updateMany({ where: { id: upload.id, ...where }, data: { status: 'deleting' } });
    if (count === 0) return false;
    await this.storage.remove(upload.objectKey);
    await this.prisma.upload.deleteMany({ where: { id: upload.id } });
    return true;
  }

  /**
   * Gives up on an upload whose body never fully arrived. Best effort: when
   * storage or the database is down, the row stays (marked `deleting`, or
   * `pending` until it expires) and the purge finishes the job. The row only
   * goes once its object is known not to exist.
   */
  async discard(uploadId: string, objectKey: string, { objectMayExist = true } = {}): Promise<void> {
    try {
      if (objectMayExist) await this.storage.remove(objectKey);
    } catch (error) {
      this.logger.warn({ msg: 'could not remove a discarded upload object; the purge will', uploadId, reason: (error as Error).message });
      await this.prisma.upload.updateMany({ where: { id: uploadId }, data: { status: 'deleting' } }).catch(() => undefined);
      return;
    }
    await this.prisma.upload.deleteMany({ where: { id: uploadId } }).catch((error: unknown) => {
      this.logger.warn({ msg: 'could not delete a discarded upload row; the purge will', uploadId, reason: (error as Error).message });
    });
  }

  /**
   * Purges one batch of uploads that expired (whatever their status), are
   * marked `deleting`, or are still `pending` long after they started — their
   * body never finished because the api that received it died. Returns how
   * many rows it removed.
   */
  async purgeBatch(now: Date, abandonedBefore: Date, batchSize = PURGE_BATCH_SIZE): Promise<number> {
    const batch = await this.prisma.upload.findMany({
      where: { OR: [{ expiresAt: { lte: now } }, { status: 'deleting' }, { status: 'pending', createdAt: { lt: abandonedBefore } }] },
      select: { id: true, objectKey: true },
      orderBy: { expiresAt: 'asc' },
      take: batchSize,
    });
    if (batch.length === 0) return 0;
    const ids = batch.map((upload) => upload.id);
    await this.prisma.upload.updateMany({ where: { id: { in: ids } }, data: { status: 'deleting' } });
    await this.storage.removeMany(batch.map((upload) => upload.objectKey));
    const { count } = await this.prisma.upload.deleteMany({ where: { id: { in: ids } } });
    return count;
  }
}
