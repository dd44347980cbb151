import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { PrismaService, type Upload } from '@hangar/database';
import { HangarError, newId, ServiceUnavailableError } from '@hangar/domain';
import { isStorageUnavailable, isStorageUnreachable, StorageService } from '@hangar/storage';
import { UploadCleanupService, uploadObjectKey } from '@hangar/uploads';
import type { Principal } from '../auth/principal';
import type { EnvironmentTarget } from '../common/environment-target';
import { EnvironmentsService } from '../environments/environments.service';
import { BodyMeter, meteredBody, UploadTooLargeError } from './metered-body';

export type UploadTarget = EnvironmentTarget;

/** Which uploads a read or delete may match: a space and environment, or (an upload id being unique) a space. */
export type UploadScope = UploadTarget | { readonly spaceId: string };

export interface IncomingBody {
  /** The raw request body, read once. */
  readonly chunks: AsyncIterable<Buffer>;
  /** Content-Length when the client sent one (undefined for chunked bodies). */
  readonly declaredLength: number | undefined;
  /** True once the client has gone away mid-body. */
  clientGone(): boolean;
}

export class ClientAbortedError extends HangarError {
  constructor() {
    super('BadRequest', 'The client closed the connection before the body was complete.');
  }
}

const emptyBody = () => new HangarError('BadRequest', 'The upload body is empty.');

@Injectable()
export class UploadsService {
  private readonly logger = new Logger(UploadsService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
    private readonly environments: EnvironmentsService,
    private readonly cleanup: UploadCleanupService,
  ) {}

  /**
   * Streams the body into storage and returns the ready Upload. The row is
   * written first (status `pending`, never served) so no object ever exists
   * without a row; every failure removes what was written.
   */
  async create(target: UploadTarget, principal: Principal, body: IncomingBody): Promise<Upload> {
    const { maxBytes, ttlSeconds } = this.config.uploads;
    if (body.declaredLength !== undefined && body.declaredLength > maxBytes) throw new UploadTooLargeError(maxBytes);
    if (body.declaredLength === 0) throw emptyBody();
    await this.environments.get(target.spaceId, target.environmentId);

    const id = newId();
    const objectKey = uploadObjectKey(target.spaceId, target.environmentId, id);
    const createdAt = new Date();
    await this.prisma.upload.create({
      data: {
        id,
        ...target,
        createdById: principal.userId,
        objectKey,
        createdAt,
        expiresAt: new Date(createdAt.getTime() + ttlSeconds * 1000),
      },
    });

    const meter = new BodyMeter();
    try {
      await this.storage.putStream(objectKey, meteredBody(body.chunks, maxBytes, meter), body.declaredLength ?? maxBytes);
    } catch (error) {
      // Refused connections mean the final PUT or completion never reached storage: there is no object.
      await this.cleanup.discard(id, objectKey, { objectMayExist: !isStorageUnreachable(error) });
      throw this.explainStreamFailure(error, body);
    }
    if (meter.size === 0) {
      await this.cleanup.discard(id, objectKey);
      throw emptyBody();
    }

    let completed;
    try {
      completed = await this.prisma.upload.updateMany({
        where: { id, status: 'pending' },
        data: { status: 'ready', size: meter.size, sha256: meter.digest() },
      });
    } catch (error) {
      // The row stays `pending` (PostgreSQL is what failed) and is purged later; the object goes now.
      await this.removeObjectOfFailedUpload(id, objectKey);
      throw error;
    }
    if (completed.count === 0) {
      // The purge gave this upload up as abandoned (UPLOAD_ABANDON_SECONDS) while its body was still arriving.
      await this.removeObjectOfFailedUpload(id, objectKey);
      throw new HangarError('Conflict', 'The upload took longer than allowed and was abandoned; send it again.');
    }
    return this.prisma.upload.findUniqueOrThrow({ where: { id } });
  }

  private async removeObjectOfFailedUpload(uploadId: string, objectKey: string): Promise<void> {
    await this.storage.remove(objectKey).catch((removeError: unknown) => {
      this.logger.warn({
        msg: 'could not remove the object of a failed upload; the orphan sweeper will',
        uploadId,
        reason: (removeError as Error).message,
      });
    });
  }

  /** A live upload of this space and environment, or 404. */
  async get(target: UploadScope, uploadId: string): Promise<Upload> {
    const upload = await this.prisma.upload.findFirst({ where: this.liveUpload(target, uploadId) });
    if (!upload) throw notFound(uploadId);
    return upload;
  }

  async delete(target: UploadScope, uploadId: string): Promise<void> {
    if (!(await this.cleanup.deleteOne(this.liveUpload(target, uploadId)))) throw notFound(uploadId);
  }

  private liveUpload(target: UploadScope, uploadId: string) {
    return { id: uploadId, ...target, status: 'ready' as const, expiresAt: { gt: new Date() } };
  }

  private explainStreamFailure(error: unknown, body: IncomingBody): unknown {
    if (error instanceof HangarError) return error;
    if (body.clientGone()) return new ClientAbortedError();
    if (isStorageUnavailable(error)) return new ServiceUnavailableError('storage');
    return error;
  }
}

function notFound(uploadId: string): HangarError {
  return new HangarError('NotFound', 'The resource could not be found.', { type: 'Upload', id: uploadId });
}
