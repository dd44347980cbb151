import { Inject, Injectable, Logger } from '@nestjs/common';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { constraintViolationOf, Prisma, PrismaService, type Upload } from '@hangar/database';
import { type EnvironmentTarget, HangarError, newId, NotFoundError, ServiceUnavailableError } from '@hangar/domain';
import { DomainEventsService, EventTopic } from '@hangar/events';
import { HangarMetrics, type UploadDoor } from '@hangar/observability';
import {
  isStorageUnavailable,
  isStorageUnreachable,
  MAX_COPY_PART_SIZE,
  MAX_PARTS,
  MIN_PART_SIZE,
  type ObjectBody,
  StorageService,
  type StoredPart,
} from '@hangar/storage';
import {
  ClientAbortedError,
  EmptyUploadError,
  UploadAbandonedError,
  UploadOffsetMismatchError,
  UploadTooLargeError,
} from './ingest-errors';
import { idleLimited } from './idle-limit';
import { ByteMeter, meteredStream } from './metered-stream';
import { PartSpool, sizeOf, type SpoolSession } from './part-spool';
import { uploadEvent } from './upload-entity';
import { uploadObjectKey, uploadTailKey } from './upload-keys';
import { UploadCleanupService } from './upload-cleanup.service';
import { UploadSlots } from './upload-slots';

/**
 * Where a session's object goes. By default `uploads/{space}/{env}/{id}`, owned
 * by the Upload row; a door whose bytes are kept by another kind of row (a file
 * version: libs/files) names a key under that row's prefix, so the object
 * changes owner with a row update and no copy. That owner also answers for the
 * key while the upload row holds it.
 */
export interface SessionPlacement {
  readonly objectKeyOf: (uploadId: string) => string;
}

/** A body that arrives in one request: today's Upload API, and every door that streams a whole file. */
export interface IncomingBody {
  /** Which door the body came through: its bytes and time are counted under that name (/metrics). */
  readonly door: UploadDoor;
  /** The raw body, read once. */
  readonly chunks: AsyncIterable<Buffer>;
  /** The length the client announced (Content-Length), if any. */
  readonly declaredLength: number | undefined;
  /** True once the client has gone away mid-body. */
  clientGone(): boolean;
  /**
   * Who sends it. `client` (the default: the Upload API and every door a client streams to): the body takes
   * one of its user's UPLOAD_CONCURRENCY_PER_USER slots and is ended after UPLOAD_IDLE_TIMEOUT_SECONDS of
   * silence. `server`: a body Hangar fetches itself (remote import), bounded by the worker's concurrency and
   * by its HTTP client's own timeouts, whose failures say what the remote server did.
   */
  readonly sender?: 'client' | 'server';
  /**
   * The file name and media type the client gave with the body, asked once the body has been read (a door may
   * learn them only then: base64 JSON's `name` may follow its `data`). Validated by the door.
   */
  describe?(): UploadDescription;
  /**
   * True for a body that may have no bytes at all (a placeholder file, as Capillary's file service makes when no
   * file is sent): stored as an empty object instead of refused as an empty upload.
   */
  readonly allowEmpty?: boolean;
}

/** What a client said about the bytes it sent; kept on the upload and shown in its `details`. */
export interface UploadDescription {
  readonly fileName?: string | undefined;
  readonly contentType?: string | undefined;
}

export interface AppendOptions {
  /** Where the client believes the session stands; a different offset is a 409. */
  readonly offset: number;
  /** True when these are the last bytes of the body. */
  readonly final: boolean;
  /**
   * A stall of UPLOAD_IDLE_TIMEOUT_SECONDS ends this append where the body stands instead of failing it
   * (a resumable door: what arrived is kept, and the client continues from there). Not with `final`.
   */
  readonly endOnIdle?: boolean;
  /**
   * How many bytes this append brings, when the door knows it (a
   * `Content-Length`). A non-final append that starts on a part boundary and
   * brings a whole part's worth ({@link MIN_PART_SIZE} to
   * {@link STREAMED_PART_MAX_BYTES}) is then sent to storage as one part while
   * it arrives, instead of after it has arrived (see `write`).
   */
  readonly length?: number;
}

/** The protocol state of a resumable session (the tus door), kept on its row so that any replica can continue it. */
export interface ResumableState {
  /** The announced length of the whole body; undefined while the client defers it. */
  readonly length?: number;
  /** The client's metadata as it sent it. */
  readonly metadata?: string;
  /** tus concatenation: `partial`, or a final upload's `final;…`. */
  readonly concat?: string;
  /** The file name and media type the client gave at creation (tus metadata), kept until the body is in. */
  readonly description?: UploadDescription;
}

export interface OpenOptions {
  /** The upload's id, when the door names it before opening (tus answers it in `Location`). */
  readonly id?: string;
  /** Makes the session resumable: it stays pending until it expires, never given up as abandoned. */
  readonly resumable?: ResumableState;
  /** Where the object goes, when not under `uploads/` (a file version's key). */
  readonly placement?: SessionPlacement;
}

/** A stored object that becomes part of a concatenated body. */
export interface ConcatenationSource {
  readonly key: string;
  readonly size: number;
}

/** `head`'s items, then `rest`'s; `head` is emptied as it goes, so what was yielded is not held on to. */
async function* prepend<T>(head: T[], rest: AsyncIterator<T>): AsyncGenerator<T> {
  for (let item = head.shift(); item !== undefined; item = head.shift()) yield item;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

/** Full parts only; a shorter last piece is handed to `rest` instead (it becomes the session's tail). */
async function* fullPartsOnly(
  parts: AsyncIterable<ObjectBody>,
  partSize: number,
  rest: { bytes: ObjectBody | undefined },
): AsyncGenerator<ObjectBody> {
  for await (const part of parts) {
    if (sizeOf(part) < partSize) rest.bytes = part;
    else yield part;
  }
}

/** A body of a several-body request, stored whole; its row waits `pending` for the others. */
interface StoredBody {
  readonly session: Upload;
  readonly size: bigint;
  readonly sha256: string;
  readonly description: UploadDescription | undefined;
}

/** What a write changed in the session. */
interface Progress {
  receivedBytes: number;
  partCount: number;
  tailBytes: number;
  multipartUploadId: string | null;
  /** Parts this process wrote, when it wrote all of them (else they are listed at completion). */
  parts: StoredPart[] | undefined;
}

/**
 * The ingestion core: every door that brings bytes (the Upload API today;
 * multipart forms, base64 JSON, remote URLs, ZIP entries and tus next) ends
 * in an upload session here:
 *
 *   open → append(chunks)… → complete | abort
 *
 * Same size cap, same streaming SHA-256, same pending→ready row protocol,
 * same cleanup for all of them, and the same bounds on what a body may pin:
 * one of its user's few upload slots (UploadSlots) while it arrives, at most
 * 64 KiB of it in memory (parts wait on disk: PartSpool), and no more than
 * UPLOAD_IDLE_TIMEOUT_SECONDS of silence. The row is written (`pending`, never served)
 * before any byte reaches storage; a multipart upload's id is recorded on
 * the row before its first part, so whoever gives the session up can abort
 * it. A body that fits in one part is stored with one PUT.
 */
@Injectable()
export class UploadSessionService {
  private readonly logger = new Logger(UploadSessionService.name);
  /**
   * Hash state of sessions whose appends reached this process in order. A
   * session continued elsewhere (another replica, a restart) is hashed from
   * storage when it completes instead.
   */
  private readonly meters = new Map<string, ByteMeter>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
    private readonly events: DomainEventsService,
    private readonly cleanup: UploadCleanupService,
    private readonly slots: UploadSlots,
    private readonly spool: PartSpool,
    private readonly metrics: HangarMetrics,
  ) {}

  /**
   * A whole body in one call: open, append everything, complete. Any failure
   * — the client leaving, the cap, storage or the database failing — leaves
   * nothing behind (or, when a dependency is down, a row the purge finishes).
   * The user's slot is taken before anything is read or written: a 429 leaves nothing.
   */
  async ingest(target: EnvironmentTarget, createdById: string, incoming: IncomingBody, placement?: SessionPlacement): Promise<Upload> {
    // Every door passes here (or through ingestAll or append): the one place their bytes and times are counted.
    const body = { ...incoming, chunks: this.metrics.metered(incoming.door, incoming.chunks) };
    return this.metrics.timed(this.metrics.uploadDuration, { door: body.door }, () => {
      if (body.sender === 'server') return this.ingestBody(target, createdById, body, { idleMs: undefined, placement });
      const idleMs = this.config.uploads.idleTimeoutSeconds * 1000;
      return this.slots.holding(createdById, () => this.ingestBody(target, createdById, body, { idleMs, placement }));
    });
  }

  /**
   * Several bodies that arrive one after another in one request (a form's
   * files), each into its own session, all or nothing. Each body is stored
   * whole (object complete, size and SHA-256 known) but its row stays
   * `pending`; once every body is in, one transaction marks them all `ready`
   * and stages their `Hangar.Upload.create`. When one fails — or `bodies`
   * itself does (a malformed or aborted request) — the ones stored so far are
   * discarded: no row, no object, no event. An api killed midway leaves
   * pending rows, which the purge removes with their objects once
   * UPLOAD_ABANDON_SECONDS have passed: never a ready upload nobody was told of.
   *
   * The request takes one of its user's slots, not one per body: its bodies
   * arrive in turn over one connection, so it never holds more than one open
   * session, one spooled part and one idle timer at a time — what a slot
   * stands for. Each body must be read to its end before the next is asked for.
   */
  async ingestAll(target: EnvironmentTarget, createdById: string, bodies: AsyncIterable<IncomingBody>): Promise<Upload[]> {
    const idleMs = this.config.uploads.idleTimeoutSeconds * 1000;
    return this.slots.holding(createdById, async () => {
      const stored: StoredBody[] = [];
      try {
        for await (const body of bodies) {
          const metered = { ...body, chunks: this.metrics.metered(body.door, body.chunks) };
          stored.push(
            await this.metrics.timed(this.metrics.uploadDuration, { door: body.door }, () =>
              this.storeBody(target, createdById, metered, idleMs),
            ),
          );
        }
        return await this.markReady(stored, createdById);
      } catch (error) {
        for (const { session } of stored) await this.cleanup.discard(session);
        throw error;
      }
    });
  }

  /** One body of {@link ingestAll}: written, its object completed, its row left `pending` with no multipart upload. */
  private async storeBody(target: EnvironmentTarget, createdById: string, body: IncomingBody, idleMs: number): Promise<StoredBody> {
    const { maxBytes } = this.config.uploads;
    const session = await this.open(target, createdById, body.declaredLength);
    const meter = new ByteMeter();
    let progress: Progress;
    try {
      progress = await this.write(
        session,
        idleLimited(body.chunks, idleMs),
        meter,
        true,
        partSizeFor(body.declaredLength ?? maxBytes),
        body.declaredLength,
      );
    } catch (error) {
      await this.cleanup.discard(session, { objectMayExist: !isStorageUnreachable(error) });
      throw explainStreamFailure(error, body);
    }
    try {
      if (progress.receivedBytes === 0) throw new EmptyUploadError();
      if (progress.multipartUploadId !== null) {
        const parts = progress.parts ?? (await this.storage.listParts(session.objectKey, progress.multipartUploadId));
        await this.storage.completeMultipart(session.objectKey, progress.multipartUploadId, parts);
      }
      // Complete now: nothing left to abort. The row stays pending until the whole request is in.
      const { count } = await this.prisma.upload.updateMany({
        where: { id: session.id, status: 'pending' },
        data: { multipartUploadId: null, receivedBytes: progress.receivedBytes, partCount: progress.partCount, tailBytes: 0 },
      });
      if (count === 0) throw new UploadAbandonedError();
    } catch (error) {
      await this.cleanup.discard(session);
      throw error instanceof HangarError ? error : explainStorageFailure(error);
    }
    return {
      session: { ...session, multipartUploadId: null, tailBytes: 0 },
      size: BigInt(progress.receivedBytes),
      sha256: meter.digest(),
      description: body.describe?.(),
    };
  }

  /**
   * Marks stored bodies `ready`, each with its `Hangar.Upload.create`, in one transaction. Bytes the space
   * already has become references to its blob, and the copies just written go.
   */
  private async markReady(stored: readonly StoredBody[], createdById: string): Promise<Upload[]> {
    const updatedAt = new Date();
    const ready = stored.map(({ session, size, sha256, description }): Upload => ({
      ...session,
      status: 'ready',
      size,
      receivedBytes: size,
      sha256,
      fileName: description?.fileName ?? session.fileName,
      contentType: description?.contentType ?? session.contentType,
      updatedAt,
    }));
    const referenced = await this.prisma.$transaction(async (tx) => {
      const blobs: StoredBlob[] = [];
      for (const upload of ready) {
        const [blob] = await this.events.stageWithChange<StoredBlob>(
          tx,
          Prisma.sql`UPDATE "Upload" SET "status" = 'ready', "size" = ${upload.size}, "receivedBytes" = ${upload.size},
            "sha256" = ${upload.sha256}, "updatedAt" = ${updatedAt}, "fileName" = ${upload.fileName}, "contentType" = ${upload.contentType}
            WHERE "id" = ${upload.id} AND "status" = 'pending' RETURNING "objectKey", "blobKey"`,
          uploadEvent(EventTopic.UploadCreate, upload, createdById),
        );
        if (!blob) throw new UploadAbandonedError();
        blobs.push(blob);
      }
      return blobs;
    });
    const placed = ready.map((upload, index) => ({ ...upload, ...referenced[index] }));
    for (const [index, upload] of placed.entries()) await this.removeDuplicate(ready[index]?.objectKey, upload);
    return placed;
  }

  private async ingestBody(
    target: EnvironmentTarget,
    createdById: string,
    body: IncomingBody,
    { idleMs, placement }: { idleMs: number | undefined; placement: SessionPlacement | undefined },
  ): Promise<Upload> {
    const { maxBytes } = this.config.uploads;
    const session = await this.open(target, createdById, body.declaredLength, { placement });
    const meter = new ByteMeter();
    let progress: Progress;
    try {
      const chunks = idleMs === undefined ? body.chunks : idleLimited(body.chunks, idleMs);
      progress = await this.write(session, chunks, meter, true, partSizeFor(body.declaredLength ?? maxBytes), body.declaredLength);
    } catch (error) {
      // Refused connections mean nothing reached storage: there is no object.
      await this.cleanup.discard(session, { objectMayExist: !isStorageUnreachable(error) });
      throw explainStreamFailure(error, body);
    }
    let description: UploadDescription | undefined;
    try {
      description = body.describe?.();
    } catch (error) {
      // A door that refuses what the body said of itself (checked only once it was read): nothing of it stays.
      await this.cleanup.discard(session);
      throw error;
    }
    return this.finish(session, progress, meter, { keepOnStorageFailure: false, description, allowEmpty: body.allowEmpty === true });
  }

  /**
   * Opens a session: checks the announced length against the cap and writes
   * the `pending` row. An unknown environment is a 404.
   */
  async open(target: EnvironmentTarget, createdById: string, declaredLength?: number, options: OpenOptions = {}): Promise<Upload> {
    const { maxBytes, ttlSeconds } = this.config.uploads;
    if (declaredLength !== undefined && declaredLength > maxBytes) throw new UploadTooLargeError(maxBytes);
    if (declaredLength === 0) throw new EmptyUploadError();
    const id = options.id ?? newId();
    const { resumable } = options;
    const createdAt = new Date();
    // Every column is known here, so the row is written with one plain INSERT and answered from what was written:
    // the commonest statement of the upload path skips Prisma's query planning and result mapping (issue 16).
    const session: Upload = {
      id,
      spaceId: target.spaceId,
      environmentId: target.environmentId,
      createdById,
      status: 'pending',
      objectKey: options.placement?.objectKeyOf(id) ?? uploadObjectKey(target.spaceId, target.environmentId, id),
      blobKey: null,
      multipartUploadId: null,
      receivedBytes: 0n,
      partCount: 0,
      tailBytes: 0,
      size: null,
      sha256: null,
      fileName: resumable?.description?.fileName ?? null,
      contentType: resumable?.description?.contentType ?? null,
      resumable: resumable !== undefined,
      tusLength: resumable?.length === undefined ? null : BigInt(resumable.length),
      tusMetadata: resumable?.metadata ?? null,
      tusConcat: resumable?.concat ?? null,
      createdAt,
      updatedAt: createdAt,
      expiresAt: new Date(createdAt.getTime() + ttlSeconds * 1000),
    };
    try {
      await this.prisma.$executeRaw`
        INSERT INTO "Upload" ("id", "spaceId", "environmentId", "createdById", "status", "objectKey", "fileName", "contentType",
          "resumable", "tusLength", "tusMetadata", "tusConcat", "createdAt", "updatedAt", "expiresAt")
        VALUES (${session.id}, ${session.spaceId}, ${session.environmentId}, ${createdById}, 'pending', ${session.objectKey},
          ${session.fileName}, ${session.contentType}, ${session.resumable}, ${session.tusLength}, ${session.tusMetadata},
          ${session.tusConcat}, ${createdAt}, ${createdAt}, ${session.expiresAt})`;
      return session;
    } catch (error) {
      // The environment went away since the guard looked it up.
      if (constraintViolationOf(error)?.kind === 'foreign-key') throw new NotFoundError('Environment', target.environmentId);
      throw error;
    }
  }

  /**
   * Adds bytes to a pending session at `offset`. Full parts go to storage as
   * they fill; a shorter last piece is kept as the session's tail until the
   * next append (or, with `final`, becomes the last part). An append that
   * fails changes nothing: the session stays where it was and the same bytes
   * can be sent again.
   */
  async append(uploadId: string, chunks: AsyncIterable<Buffer>, options: AppendOptions): Promise<Upload> {
    const session = await this.pending(uploadId);
    const idleMs = this.config.uploads.idleTimeoutSeconds * 1000;
    const onIdle = options.endOnIdle === true && !options.final ? 'end' : 'fail';
    // Only the resumable door appends: each append is one of its requests (a tus PATCH).
    const metered = this.metrics.metered('tus', chunks);
    return this.metrics.timed(this.metrics.uploadDuration, { door: 'tus' }, () =>
      this.slots.holding(session.createdById, () => this.appendTo(session, idleLimited(metered, idleMs, { onIdle }), options)),
    );
  }

  /** Ends a session whose bytes have all been appended (a body that ends exactly at a part or tail boundary). */
  async complete(uploadId: string): Promise<Upload> {
    const session = await this.pending(uploadId);
    return this.appendTo(session, emptyBody(), { offset: Number(session.receivedBytes), final: true });
  }

  private async appendTo(session: Upload, chunks: AsyncIterable<Buffer>, { offset, final, length }: AppendOptions): Promise<Upload> {
    const uploadId = session.id;
    const receivedBytes = Number(session.receivedBytes);
    if (offset !== receivedBytes) throw new UploadOffsetMismatchError(offset, receivedBytes);
    let meter = this.meters.get(uploadId);
    if (meter?.size !== receivedBytes) meter = undefined;
    const measured = meter ?? new ByteMeter(receivedBytes);
    const checkpoint = measured.checkpoint();
    let progress: Progress;
    try {
      progress = await this.write(session, chunks, measured, final, partSizeFor(this.config.uploads.maxBytes), length);
    } catch (error) {
      measured.restore(checkpoint);
      throw error;
    }
    if (final) {
      this.meters.delete(uploadId);
      // The meter saw every byte only if it was continued here, or the whole body came in this call.
      return this.finish(session, progress, meter !== undefined || receivedBytes === 0 ? measured : undefined, {
        keepOnStorageFailure: true,
      });
    }
    const advanced = {
      receivedBytes: BigInt(progress.receivedBytes),
      partCount: progress.partCount,
      tailBytes: progress.tailBytes,
      multipartUploadId: progress.multipartUploadId,
      updatedAt: new Date(),
    };
    const { count } = await this.prisma.upload.updateMany({
      where: { id: uploadId, status: 'pending', receivedBytes: session.receivedBytes },
      data: advanced,
    });
    if (count === 0) throw new UploadOffsetMismatchError(offset, Number((await this.pending(uploadId)).receivedBytes));
    if (session.tailBytes > 0) await this.removeQuietly(uploadTailKey(session.objectKey, receivedBytes));
    if (meter !== undefined || receivedBytes === 0) this.keepMeter(uploadId, measured);
    // The row as that update left it: the update matched it at the offset it was read at, so nothing else changed it.
    return { ...session, ...advanced };
  }

  /**
   * Ends a session nothing was appended to as the concatenation of stored
   * objects, in order (tus concatenation: partial uploads joined into the
   * final one). When every source but the last fills at least one part (and
   * none is over S3's copy limit), storage joins them itself (UploadPartCopy:
   * no byte is written through this process) while the sources are read once,
   * in order, to hash the whole body: a SHA-256 cannot be composed from the
   * parts' digests, and reading alongside the copy costs no extra time.
   * Otherwise the sources are streamed through `append`, which hashes as it
   * writes. Either way the cap, the row protocol and the cleanup are this
   * core's; on failure the session is discarded.
   */
  async concatenate(uploadId: string, sources: readonly ConcatenationSource[]): Promise<Upload> {
    let session = await this.pending(uploadId);
    const total = sources.reduce((sum, source) => sum + source.size, 0);
    const last = sources.length - 1;
    const copyable =
      sources.length <= MAX_PARTS &&
      sources.every((source, index) => source.size <= MAX_COPY_PART_SIZE && (index === last || source.size >= MIN_PART_SIZE));
    try {
      if (Number(session.receivedBytes) !== 0) throw new UploadOffsetMismatchError(0, Number(session.receivedBytes));
      if (total > this.config.uploads.maxBytes) throw new UploadTooLargeError(this.config.uploads.maxBytes);
      if (total === 0) throw new EmptyUploadError();
      if (!copyable) {
        for (const source of sources) {
          const chunks = (await this.storage.read(source.key)) as AsyncIterable<Buffer>;
          session = await this.appendTo(session, chunks, { offset: Number(session.receivedBytes), final: false });
        }
        return await this.appendTo(session, emptyBody(), { offset: total, final: true });
      }
    } catch (error) {
      await this.cleanup.discard(session);
      throw error instanceof HangarError ? error : explainStorageFailure(error);
    }
    const meter = new ByteMeter();
    let progress: Progress;
    try {
      const multipartUploadId = await this.beginMultipart(session);
      const [parts] = await Promise.all([this.copyParts(session.objectKey, multipartUploadId, sources), this.hashInOrder(sources, meter)]);
      if (meter.size !== total) throw new Error(`the sources hold ${meter.size} bytes, not ${total}`);
      progress = { receivedBytes: total, partCount: parts.length, tailBytes: 0, multipartUploadId, parts };
    } catch (error) {
      await this.cleanup.discard(session);
      throw error instanceof HangarError ? error : explainStorageFailure(error);
    }
    return this.finish(session, progress, meter, { keepOnStorageFailure: false });
  }

  /** Each source as one part, a few copies at once (each is work inside storage). */
  private async copyParts(key: string, multipartUploadId: string, sources: readonly ConcatenationSource[]): Promise<StoredPart[]> {
    const parts: StoredPart[] = [];
    for (let start = 0; start < sources.length; start += PARALLEL_COPIES) {
      const batch = sources.slice(start, start + PARALLEL_COPIES);
      parts.push(
        ...(await Promise.all(batch.map((source, index) => this.storage.copyPart(key, multipartUploadId, start + index + 1, source.key)))),
      );
    }
    return parts;
  }

  private async hashInOrder(sources: readonly ConcatenationSource[], meter: ByteMeter): Promise<void> {
    for (const source of sources) {
      for await (const chunk of await this.storage.read(source.key)) meter.update(chunk as Buffer);
    }
  }

  /** Gives a pending session up: its multipart upload, tail and row go. */
  async abort(uploadId: string): Promise<void> {
    const session = await this.pending(uploadId);
    this.meters.delete(uploadId);
    await this.cleanup.discard(session);
  }

  /** Bounded: sessions given up without a word must not grow the map for ever. */
  private keepMeter(uploadId: string, meter: ByteMeter): void {
    this.meters.delete(uploadId);
    this.meters.set(uploadId, meter);
    if (this.meters.size > MAX_METERS) this.meters.delete(this.meters.keys().next().value as string);
  }

  private async pending(uploadId: string): Promise<Upload> {
    const session = await this.prisma.upload.findFirst({ where: { id: uploadId, status: 'pending' } });
    if (!session) throw new NotFoundError('Upload', uploadId);
    return session;
  }

  /**
   * Streams `chunks` (after the session's tail, if any) into the session's object. `length`, when known, is how many
   * bytes `chunks` will bring (a declared Content-Length): small parts of a known size may wait in memory.
   */
  private async write(
    session: Upload,
    chunks: AsyncIterable<Buffer>,
    meter: ByteMeter,
    final: boolean,
    partSize: number,
    length?: number,
  ): Promise<Progress> {
    const { maxBytes } = this.config.uploads;
    const spooled = this.spool.session();
    try {
      let source = chunks;
      if (!final && length !== undefined && streamsAsOnePart(session, length)) {
        const checkpoint = meter.checkpoint();
        const streamed = await this.streamOnePart(session, meteredStream(chunks, maxBytes, meter), length, spooled);
        if (streamed.kind === 'stored') return streamed.progress;
        // It ended short (the client stopped or stalled): what arrived is written as any body would be, from its copy.
        meter.restore(checkpoint);
        source = replay(streamed.received);
      }
      const tail =
        session.tailBytes > 0 ? [await this.storage.readSmall(uploadTailKey(session.objectKey, Number(session.receivedBytes)))] : [];
      const body = meteredStream(source, maxBytes, meter);
      const expectedBytes = length === undefined ? undefined : session.tailBytes + length;
      const parts = spooled.parts(prepend(tail, body[Symbol.asyncIterator]()), partSize, expectedBytes);
      return await this.writeParts(session, parts, meter, final, partSize);
    } finally {
      // Parts storage did not take (a failure, a client gone between two parts) leave the disk here.
      await spooled.close();
    }
  }

  /**
   * Sends an append of exactly `length` bytes to storage as the session's
   * next part while it arrives: a tus client sends its next chunk only once
   * this one is stored, so receiving and storing a chunk one after the other
   * would halve its pace. A copy is kept in the spool as the bytes pass; if
   * the body ends short, the part is given up and the copy is returned, to be
   * written as any body would (kept as far as it got); if it fails, nothing
   * is kept.
   */
  private async streamOnePart(
    session: Upload,
    body: AsyncIterable<Buffer>,
    length: number,
    spooled: SpoolSession,
  ): Promise<{ kind: 'stored'; progress: Progress } | { kind: 'short'; received: ObjectBody }> {
    const multipartUploadId = session.multipartUploadId ?? (await this.beginMultipart(session));
    const copy = spooled.copy();
    const outgoing = new PassThrough({ highWaterMark: STREAMED_PART_BUFFER_BYTES });
    // The request reports its own failure; one of the stream's that nobody reads must not be an unhandled 'error'.
    outgoing.on('error', () => undefined);
    const part = session.partCount + 1;
    const stored = this.storage.uploadPartStreamed(session.objectKey, multipartUploadId, part, outgoing, length);
    stored.catch(() => undefined);
    let received = 0;
    try {
      for await (const chunk of body) {
        received += chunk.length;
        if (received > length) throw new Error(`the body brought more than the ${length} bytes announced`);
        await copy.write(chunk);
        if (!outgoing.write(chunk)) await drained(outgoing, stored);
      }
    } catch (error) {
      outgoing.destroy(error as Error);
      await stored.catch(() => undefined);
      await copy.discard();
      throw error;
    }
    if (received < length) {
      outgoing.destroy(new Error('the body ended short'));
      await stored.catch(() => undefined);
      return { kind: 'short', received: await copy.finish() };
    }
    outgoing.end();
    const written = await stored;
    await copy.discard();
    return {
      kind: 'stored',
      progress: {
        receivedBytes: Number(session.receivedBytes) + length,
        partCount: part,
        tailBytes: 0,
        multipartUploadId,
        parts: session.partCount === 0 ? [written] : undefined,
      },
    };
  }

  private async writeParts(
    session: Upload,
    parts: AsyncGenerator<ObjectBody>,
    meter: ByteMeter,
    final: boolean,
    partSize: number,
  ): Promise<Progress> {
    let multipartUploadId = session.multipartUploadId;

    if (multipartUploadId === null && final) {
      // The whole body may fit in one part: then one PUT, no multipart upload.
      const first = await parts.next();
      const second = first.done ? first : await parts.next();
      if (first.done || second.done) {
        if (!first.done)
          await this.storage.putObject(session.objectKey, first.value, undefined, wholeBodyDigest(session, meter, first.value));
        return { receivedBytes: meter.size, partCount: 0, tailBytes: 0, multipartUploadId: null, parts: [] };
      }
      multipartUploadId = await this.beginMultipart(session);
      const written = await this.uploadParts(session, multipartUploadId, prepend([first.value, second.value], parts));
      return { receivedBytes: meter.size, partCount: session.partCount + written.length, tailBytes: 0, multipartUploadId, parts: written };
    }

    const rest: { bytes: ObjectBody | undefined } = { bytes: undefined };
    const body = final ? parts : fullPartsOnly(parts, partSize, rest);
    const first = await body.next();
    let written: StoredPart[] = [];
    if (!first.done) {
      multipartUploadId ??= await this.beginMultipart(session);
      written = await this.uploadParts(session, multipartUploadId, prepend([first.value], body));
    }
    if (!final && rest.bytes !== undefined) await this.storage.putObject(uploadTailKey(session.objectKey, meter.size), rest.bytes);
    return {
      receivedBytes: meter.size,
      partCount: session.partCount + written.length,
      tailBytes: rest.bytes === undefined ? 0 : sizeOf(rest.bytes),
      multipartUploadId,
      parts: session.partCount === 0 ? written : undefined,
    };
  }

  private uploadParts(session: Upload, multipartUploadId: string, parts: AsyncIterable<ObjectBody>): Promise<StoredPart[]> {
    return this.storage.uploadParts(session.objectKey, multipartUploadId, parts, session.partCount + 1);
  }

  /** Starts the multipart upload and records its id before any part is written. */
  private async beginMultipart(session: Upload): Promise<string> {
    const multipartUploadId = await this.storage.initiateMultipart(session.objectKey);
    let recorded: boolean;
    try {
      recorded =
        (await this.prisma.upload.updateMany({ where: { id: session.id, status: 'pending' }, data: { multipartUploadId } })).count > 0;
    } catch (error) {
      // Unrecorded, nobody else could find it to abort it (only the sweeper's bucket-wide listing would).
      await this.storage.abortMultipart(session.objectKey, multipartUploadId).catch(() => undefined);
      throw error;
    }
    if (!recorded) {
      await this.storage.abortMultipart(session.objectKey, multipartUploadId);
      throw new UploadAbandonedError();
    }
    session.multipartUploadId = multipartUploadId;
    return multipartUploadId;
  }

  /**
   * Joins the parts, then marks the session `ready` with its size and
   * SHA-256 and stages `Hangar.Upload.create` in the same transaction.
   */
  private async finish(
    session: Upload,
    progress: Progress,
    meter: ByteMeter | undefined,
    {
      keepOnStorageFailure,
      description,
      allowEmpty = false,
    }: { keepOnStorageFailure: boolean; description?: UploadDescription | undefined; allowEmpty?: boolean },
  ): Promise<Upload> {
    const key = session.objectKey;
    try {
      if (progress.receivedBytes === 0 && !allowEmpty) throw new EmptyUploadError();
      // Nothing was written for no bytes: the empty object is put here, so the version has one to own.
      if (progress.receivedBytes === 0 && progress.multipartUploadId === null) await this.storage.putObject(key, Buffer.alloc(0));
      if (progress.multipartUploadId !== null) {
        const parts = progress.parts ?? (await this.storage.listParts(key, progress.multipartUploadId));
        await this.storage.completeMultipart(key, progress.multipartUploadId, parts);
      }
    } catch (error) {
      // A body sent in pieces keeps its session when storage fails, so its last append can be sent again.
      if (error instanceof EmptyUploadError || !keepOnStorageFailure) await this.cleanup.discard(session);
      throw error instanceof HangarError ? error : explainStorageFailure(error);
    }
    let ready: Upload;
    try {
      const sha256 = meter?.digest() ?? (await this.hashStored(key));
      const size = BigInt(progress.receivedBytes);
      const fileName = description?.fileName ?? session.fileName;
      const contentType = description?.contentType ?? session.contentType;
      ready = {
        ...session,
        fileName,
        contentType,
        status: 'ready',
        size,
        receivedBytes: size,
        sha256,
        multipartUploadId: null,
        tailBytes: 0,
        updatedAt: new Date(),
      };
      // The hottest write of all (every upload ends here): the row, its blob reference (a trigger) and its event in
      // one statement.
      const [blob] = await this.events.stageWithChange<StoredBlob>(
        this.prisma,
        Prisma.sql`UPDATE "Upload" SET "status" = 'ready', "size" = ${size}, "receivedBytes" = ${size}, "sha256" = ${sha256},
          "multipartUploadId" = NULL, "tailBytes" = 0, "updatedAt" = ${ready.updatedAt},
          "fileName" = ${fileName}, "contentType" = ${contentType}
          WHERE "id" = ${session.id} AND "status" = 'pending' RETURNING "objectKey", "blobKey"`,
        uploadEvent(EventTopic.UploadCreate, ready, session.createdById),
      );
      if (!blob) throw new UploadAbandonedError();
      ready = { ...ready, ...blob };
    } catch (error) {
      // The object goes now; the row (still `pending` when PostgreSQL failed) is purged later.
      await this.removeQuietly(key);
      throw error;
    }
    // The tail became the last part.
    if (session.tailBytes > 0) await this.removeQuietly(uploadTailKey(key, Number(session.receivedBytes)));
    await this.removeDuplicate(key, ready);
    return ready;
  }

  /**
   * The copy a session wrote at `writtenKey`, when its upload became a reference to bytes the space already had
   * (the blob at `ready.objectKey`): nothing owns it any more (the orphan sweeper removes it if this cannot).
   */
  private async removeDuplicate(writtenKey: string | undefined, ready: Upload): Promise<void> {
    if (writtenKey !== undefined && writtenKey !== ready.objectKey) await this.removeQuietly(writtenKey);
  }

  /** SHA-256 of a stored object, streamed (a session whose appends did not all reach this process). */
  private async hashStored(key: string): Promise<string> {
    const meter = new ByteMeter();
    for await (const chunk of await this.storage.read(key)) meter.update(chunk as Buffer);
    return meter.digest();
  }

  private async removeQuietly(key: string): Promise<void> {
    await this.storage.remove(key).catch((error: unknown) => {
      this.logger.warn({ msg: 'could not remove an object; the orphan sweeper will', key, reason: (error as Error).message });
    });
  }
}

/** Where a ready upload's bytes are: its blob (the bytes' first copy in the space). */
type StoredBlob = Pick<Upload, 'objectKey' | 'blobKey'>;

/** Part copies a concatenation asks storage for at once. */
const PARALLEL_COPIES = 4;

/** Sessions whose hash state one process keeps; beyond it the oldest is hashed from storage when it completes. */
const MAX_METERS = 10_000;

/**
 * The largest append sent to storage as one part while it arrives. Its copy
 * waits in the spool until the part is stored, so this bounds what one
 * session keeps on disk, as PARALLEL_PARTS does for the other path.
 */
export const STREAMED_PART_MAX_BYTES = 64 * 1024 * 1024;

/** What the outgoing part may hold in memory while storage takes it. */
const STREAMED_PART_BUFFER_BYTES = 256 * 1024;

/** An append that can be one part of its own: it starts on a part boundary and is a valid part's worth. */
function streamsAsOnePart(session: Upload, length: number): boolean {
  return session.tailBytes === 0 && session.partCount < MAX_PARTS && length >= MIN_PART_SIZE && length <= STREAMED_PART_MAX_BYTES;
}

/** Resolves when `stream` can take more, or fails when the request it feeds does. */
async function drained(stream: PassThrough, request: Promise<unknown>): Promise<void> {
  const drain = once(stream, 'drain');
  drain.catch(() => undefined);
  await Promise.race([drain, request]);
}

/** The bytes of a spooled copy, read back (the file is released once read). */
async function* replay(copy: ObjectBody): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(copy)) {
    yield copy;
    return;
  }
  try {
    for await (const chunk of copy.open()) yield chunk as Buffer;
  } finally {
    await copy.release();
  }
}

/** Parts large enough that the announced (or largest allowed) body stays under S3's 10,000 parts. */
function partSizeFor(expectedBytes: number): number {
  return Math.max(MIN_PART_SIZE, Math.ceil(expectedBytes / MAX_PARTS));
}

async function* emptyBody(): AsyncGenerator<Buffer> {}

function explainStorageFailure(error: unknown): unknown {
  return isStorageUnavailable(error) ? new ServiceUnavailableError('storage') : error;
}

function explainStreamFailure(error: unknown, body: IncomingBody): unknown {
  if (error instanceof HangarError) return error;
  if (body.clientGone()) return new ClientAbortedError();
  return explainStorageFailure(error);
}

/**
 * The digest of `body` when it is the session's whole body and the meter saw all of it (from the first byte, with no
 * tail stored before): storage can then sign it with the content hash already taken instead of hashing it again.
 */
function wholeBodyDigest(session: Upload, meter: ByteMeter, body: ObjectBody): string | undefined {
  const whole = session.receivedBytes === 0n && session.tailBytes === 0 && meter.size === sizeOf(body);
  return whole ? meter.digest() : undefined;
}
