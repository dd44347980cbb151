import type { Readable } from 'node:stream';
import { DataStore, ERRORS, Metadata, Upload as TusUpload } from '@tus/utils';
import type { AppConfig } from '@hangar/config';
import type { PrismaService, Upload } from '@hangar/database';
import { type EnvironmentTarget, HangarError } from '@hangar/domain';
import { idleLimited } from './idle-limit';
import { UploadOffsetMismatchError, UploadTooLargeError } from './ingest-errors';
import { checksumVerified, exactly, TusProtocolError, tusError, type UploadChecksum } from './tus-protocol';
import type { UploadCleanupService } from './upload-cleanup.service';
import type { UploadDescription, UploadSessionService } from './upload-session.service';

/** What one tus request brings that the data store's methods are not given: who, where, and this body's headers. */
export interface TusRequestContext {
  readonly target: EnvironmentTarget;
  readonly userId: string;
  /** `Upload-Checksum` of this request's body. */
  readonly checksum?: UploadChecksum;
  /** `Upload-Concat: partial` on a creation. */
  readonly partial?: boolean;
  /** This request's `Content-Length`, when it sent one. */
  readonly bodyLength?: number;
  /** On a creation: the file name and media type its `Upload-Metadata` gives, checked. */
  readonly description?: UploadDescription;
}

/** The extensions this store gives @tus/server (checksum and concatenation are completed around it: see TusUploads). */
export const TUS_EXTENSIONS = [
  'creation',
  'creation-with-upload',
  'creation-defer-length',
  'termination',
  'expiration',
  'checksum',
  'concatenation',
] as const;

/**
 * @tus/server's data store over the ingestion core: a tus upload is an
 * upload session (`UploadSessionService`), its offset the session's
 * `receivedBytes` in PostgreSQL, its bytes the session's multipart upload —
 * the same row, keys and cleanup as every other door, so any replica can take
 * the next request and a finished tus upload is an ordinary Upload. One
 * instance per request, bound to that request's {@link TusRequestContext}.
 *
 * Each PATCH is one append. It keeps what arrived when the client goes away
 * or stalls (tus resumes from there), except the append that ends the
 * upload, which is written as its last part and must arrive whole; with
 * `Upload-Checksum`, a body whose digest differs is discarded whole (460).
 */
export class TusUploadStore extends DataStore {
  /** This request's upload's `Upload-Concat`, once read (HEAD answers it). */
  concat: string | undefined;
  /** The row `getUpload` last read. */
  private read: Upload | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly sessions: UploadSessionService,
    private readonly cleanup: UploadCleanupService,
    private readonly context: TusRequestContext,
  ) {
    super();
    this.extensions = [...TUS_EXTENSIONS];
  }

  /** @tus/server 2.4.5 refuses `Upload-Concat` unless the store has this (misspelt) extension; partial uploads are ours. */
  override hasExtension(extension: string): boolean {
    return extension === 'concatentation' || super.hasExtension(extension);
  }

  override async create(upload: TusUpload): Promise<TusUpload> {
    const { target, userId, partial } = this.context;
    const session = await this.sessions.open(target, userId, upload.size, {
      id: upload.id,
      resumable: {
        length: upload.size,
        metadata: upload.metadata === undefined ? undefined : Metadata.stringify(upload.metadata),
        concat: partial ? 'partial' : undefined,
        description: this.context.description,
      },
    });
    upload.creation_date = session.createdAt.toISOString();
    return upload;
  }

  override async getUpload(id: string): Promise<TusUpload> {
    let row = await this.find(id);
    if (row.status === 'pending' && row.tusLength !== null && row.receivedBytes === row.tusLength) {
      // Every byte arrived but completing failed (storage down): complete it now, before saying it is done.
      row = await this.translated(() => this.sessions.complete(id));
    }
    this.concat = row.tusConcat ?? undefined;
    this.read = row;
    return new TusUpload({
      id,
      size: row.tusLength === null ? undefined : Number(row.tusLength),
      offset: Number(row.status === 'ready' ? (row.size ?? 0n) : row.receivedBytes),
      metadata: row.tusMetadata === null ? undefined : Metadata.parse(row.tusMetadata),
      creation_date: row.createdAt.toISOString(),
    });
  }

  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    // @tus/server read the upload (getUpload) under the same lock just before: that row is still current.
    const row = this.read?.id === id ? this.read : await this.find(id);
    if (row.status !== 'pending') throw new TusProtocolError(403, 'This upload is complete and cannot be modified\n');
    const length = row.tusLength === null ? undefined : Number(row.tusLength);
    const { bodyLength, checksum } = this.context;
    // The first chunk is awaited here, before the core's own idle limit applies: a body that never starts must end too.
    const idleMs = this.config.uploads.idleTimeoutSeconds * 1000;
    const chunks = idleLimited(stream as AsyncIterable<Buffer>, idleMs, { onIdle: 'end' });
    const first = await chunks.next();
    if (first.done) {
      // Nothing to append (an appended nothing would still rewrite the tail); maybe the length was just declared.
      if (checksum) throw new TusProtocolError(400, 'An empty body has nothing to check\n');
      if (length === offset) await this.translated(() => this.sessions.complete(id));
      return offset;
    }
    const final = length !== undefined && bodyLength !== undefined && offset + bodyLength === length;
    let body: AsyncIterable<Buffer> = restOf(first.value, chunks);
    if (checksum) body = checksumVerified(body, checksum);
    if (final) body = exactly(body, bodyLength);
    const appended = await this.translated(() => this.sessions.append(id, body, { offset, final, endOnIdle: true, length: bodyLength }));
    if (appended.status === 'ready') return Number(appended.size ?? 0n);
    const reached = Number(appended.receivedBytes);
    if (reached === length) await this.translated(() => this.sessions.complete(id));
    return reached;
  }

  override async remove(id: string): Promise<void> {
    const row = await this.find(id);
    if (row.status === 'pending') await this.translated(() => this.sessions.abort(id));
    else if (!(await this.cleanup.deleteOne({ id, ...this.context.target, status: 'ready' }, this.context.userId)))
      throw tusError(ERRORS.FILE_NOT_FOUND);
  }

  override async declareUploadLength(id: string, length: number): Promise<void> {
    this.read = undefined;
    const { count } = await this.prisma.upload.updateMany({
      where: { id, ...this.context.target, resumable: true, status: 'pending', tusLength: null },
      data: { tusLength: BigInt(length) },
    });
    if (count === 0) throw tusError(ERRORS.INVALID_LENGTH);
  }

  override getExpiration(): number {
    return this.config.uploads.ttlSeconds * 1000;
  }

  /** The tus upload `id` of this request's environment, pending or finished; a deleted or purged one is gone (404). */
  private async find(id: string): Promise<Upload> {
    const row = await this.prisma.upload.findFirst({
      where: { id, ...this.context.target, resumable: true, status: { in: ['pending', 'ready'] } },
    });
    if (!row) throw tusError(ERRORS.FILE_NOT_FOUND);
    return row;
  }

  /** The core's refusals that tus has its own answer for, in tus's words; the rest stay as they are. */
  private async translated<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof UploadOffsetMismatchError) throw tusError(ERRORS.INVALID_OFFSET);
      if (error instanceof UploadTooLargeError) throw tusError(ERRORS.ERR_SIZE_EXCEEDED);
      if (error instanceof HangarError && error.errorId === 'NotFound') throw tusError(ERRORS.FILE_NOT_FOUND);
      throw error;
    }
  }
}

async function* restOf(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}
