import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaService, type Upload } from '@hangar/database';
import type { EnvironmentTarget } from '@hangar/domain';
import { uploadNotFound } from './ingest-errors';
import { UploadCleanupService } from './upload-cleanup.service';

/** Which uploads a read or delete may match: a space and environment, or (an upload id being unique) a whole space. */
export type UploadScope = EnvironmentTarget | { readonly spaceId: string };

/**
 * The one rule for "which upload is live": stored completely (`ready`) and
 * not expired. Reads, deletes, asset links and processing all use it.
 */
export function liveUploads(scope: UploadScope, ids: string | { in: string[] }, now = new Date()): Prisma.UploadWhereInput {
  return { id: ids, ...scope, status: 'ready', expiresAt: { gt: now } };
}

/** Reading and deleting the Upload resource. */
@Injectable()
export class UploadsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cleanup: UploadCleanupService,
  ) {}

  /** A live upload in scope, or 404. */
  async get(scope: UploadScope, uploadId: string): Promise<Upload> {
    const upload = await this.prisma.upload.findFirst({ where: liveUploads(scope, uploadId) });
    if (!upload) throw uploadNotFound(uploadId);
    return upload;
  }

  /** Which of `uploadIds` are live in `scope`. */
  async liveIds(scope: UploadScope, uploadIds: readonly string[]): Promise<Set<string>> {
    if (uploadIds.length === 0) return new Set();
    const rows = await this.prisma.upload.findMany({ where: liveUploads(scope, { in: [...uploadIds] }), select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  /** Deletes a live upload and its object (staging `Hangar.Upload.delete`), or 404. */
  async delete(scope: UploadScope, uploadId: string, actorId: string): Promise<void> {
    if (!(await this.cleanup.deleteOne(liveUploads(scope, uploadId), actorId))) throw uploadNotFound(uploadId);
  }
}
