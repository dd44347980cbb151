import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { PrismaService, type Upload } from '@hangar/database';
import { TusLocker } from './tus-locker';
import { TusProtocolError } from './tus-protocol';
import { type TusRequestContext, TusUploadStore } from './tus-upload.store';
import { UploadCleanupService } from './upload-cleanup.service';
import { UploadSessionService } from './upload-session.service';

/**
 * The tus door's state, over the ingestion core: a data store per request for
 * @tus/server (which speaks the protocol), the shared per-upload lock, and the
 * final upload of a concatenation, which @tus/server 2.4.5 does not implement.
 */
@Injectable()
export class TusUploads {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly sessions: UploadSessionService,
    private readonly cleanup: UploadCleanupService,
    readonly locker: TusLocker,
  ) {}

  /** A data store bound to one request. */
  storeFor(context: TusRequestContext): TusUploadStore {
    return new TusUploadStore(this.config, this.prisma, this.sessions, this.cleanup, context);
  }

  /**
   * Creates the final upload of a tus concatenation (`Upload-Concat: final;…`):
   * the finished partial uploads `partialIds` of this environment, joined in
   * that order into a new, finished Upload whose SHA-256 is over the whole
   * body (see `UploadSessionService.concatenate`). The partial uploads stay
   * until they expire, as tus allows them to be used again.
   */
  async concatenate(context: TusRequestContext, partialIds: readonly string[], concat: string, metadata?: string): Promise<Upload> {
    const { target, userId } = context;
    const partials = await this.prisma.upload.findMany({
      where: {
        id: { in: [...new Set(partialIds)] },
        ...target,
        resumable: true,
        tusConcat: 'partial',
        status: 'ready',
        expiresAt: { gt: new Date() },
      },
      select: { id: true, objectKey: true, size: true },
    });
    const byId = new Map(partials.map((partial) => [partial.id, partial]));
    const sources = partialIds.map((id) => {
      const partial = byId.get(id);
      if (!partial) throw new TusProtocolError(400, `${id} is not a finished partial upload of this environment\n`);
      return { key: partial.objectKey, size: Number(partial.size ?? 0n) };
    });
    const length = sources.reduce((sum, source) => sum + source.size, 0);
    if (length > this.config.uploads.maxBytes) throw new TusProtocolError(413, 'Maximum size exceeded\n');
    const session = await this.sessions.open(target, userId, length, {
      resumable: { length, metadata, concat, description: context.description },
    });
    return this.sessions.concatenate(session.id, sources);
  }
}
