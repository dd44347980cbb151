import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ZipFile } from 'yauzl';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { type FileAcl, type FileExpansion, PrismaService, type Upload } from '@hangar/database';
import { HangarError, MASTER_ENVIRONMENT, newId, NotFoundError } from '@hangar/domain';
import { DomainEventsService, EventTopic } from '@hangar/events';
import { BlobStore, type IncomingBody, UploadCleanupService, uploadEvent, UploadSessionService } from '@hangar/ingest';
import { JobName, OutboxService } from '@hangar/queue';
import { ObjectOwnershipRegistry, StorageService } from '@hangar/storage';
import { fileObjectKey, fileObjectPrefix } from './file-keys';
import { FilePath } from './file-path';
import { FilesService, type StoredFileBytes } from './files.service';
import {
  assertDirectorySize,
  assertEntryCount,
  type ExpansionPlan,
  ExpansionRefusedError,
  planExpansion,
  type ZipLimits,
} from './zip-guards';
import { entryBytes, openStoredArchive, readEntries } from './zip-reader';

/** Where an expansion's entries are written while it runs: one prefix per expansion, so a retry or a failure finds them all. */
export function expansionEntryPrefix(spaceId: string, expansionId: string): string {
  return `${fileObjectPrefix(spaceId)}expansions/${expansionId}/`;
}

/** The commit writes every version in one transaction (10,000 entries take seconds): far above Prisma's 5 s default. */
const COMMIT_TIMEOUT_MS = 10 * 60 * 1000;
/**
 * Entries stored at once. Each small entry costs a few round trips (its session's row, one PUT, its completion)
 * that mostly wait: a few in flight multiply the rate; a large entry streams at 64 KiB in memory whatever the number.
 */
const ENTRIES_AT_ONCE = 8;
/** Versions recorded per batch of statements (each batch binds ~12 parameters per entry: well under PostgreSQL's 65,535). */
const COMMIT_BATCH = 500;
/** How often {@link ArchiveExpansionService.startAndWait} looks at the row. */
const POLL_MS = 100;

const TERMINAL = new Set<FileExpansion['status']>(['succeeded', 'failed']);

/** An archive stored for an expansion not queued yet ({@link ArchiveExpansionService.store}). */
export interface StoredArchive {
  readonly spaceId: string;
  readonly actorId: string;
  readonly folder: FilePath;
  readonly upload: Upload;
}

export interface ExpansionOptions {
  /** The ACL of the files the expansion creates (existing files keep theirs); default private. */
  readonly acl?: FileAcl | undefined;
}

/**
 * ZIP expansion into a folder of a space's files. The archive is stored
 * first, through the ingestion core, like any write's bytes
 * (`files/{space}/{upload id}`), and handed to a FileExpansion row that owns
 * it while it waits (ownership registry: FileVersionObjectOwner); the row,
 * its job (outbox) and the consumed session commit together. The worker then
 * reads the archive with yauzl over ranged GETs, checks every entry of the
 * central directory against the guards (zip-guards.ts) before extracting a
 * byte, streams each file entry through the ingestion core under the
 * expansion's own prefix, and records every version — with the folders and
 * the row's `succeeded` — in one transaction: all entries land, or none.
 * A refusal or a failure discards what the attempt wrote; a retried job
 * (the worker died midway) first discards what the earlier attempt left.
 * The archive object goes when the expansion ends, either way.
 */
@Injectable()
export class ArchiveExpansionService {
  private readonly logger = new Logger(ArchiveExpansionService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
    private readonly events: DomainEventsService,
    private readonly outbox: OutboxService,
    private readonly sessions: UploadSessionService,
    private readonly cleanup: UploadCleanupService,
    private readonly files: FilesService,
    private readonly owners: ObjectOwnershipRegistry,
    private readonly blobs: BlobStore,
  ) {}

  /** Stores the archive and queues its expansion into `folder`: the FileExpansion is `pending`. */
  async start(
    spaceId: string,
    actorId: string,
    folder: FilePath,
    body: IncomingBody,
    options: ExpansionOptions = {},
  ): Promise<FileExpansion> {
    return this.queue(await this.store(spaceId, actorId, folder, body), options);
  }

  /**
   * The first half of {@link start}: the archive stored through the ingestion
   * core, in a session of its own. A door that must read more of its request
   * before it commits to the expansion (a form's other parts) calls
   * {@link queue} then, or {@link discard} if the request fails.
   */
  async store(spaceId: string, actorId: string, folder: FilePath, body: IncomingBody): Promise<StoredArchive> {
    // A folder that cannot be one is refused before the bytes are taken (and again when the expansion commits).
    await this.files.assertFolderFits(spaceId, folder);
    const upload = await this.sessions.ingest({ spaceId, environmentId: MASTER_ENVIRONMENT }, actorId, body, {
      objectKeyOf: (uploadId) => fileObjectKey(spaceId, uploadId),
    });
    return { spaceId, actorId, folder, upload };
  }

  /** Gives a stored archive up before its expansion was queued: nothing of it stays. */
  async discard(archive: StoredArchive): Promise<void> {
    await this.cleanup.discard(archive.upload);
  }

  /** The second half of {@link start}: a FileExpansion row takes the stored archive over, and its job is queued. */
  async queue(archive: StoredArchive, options: ExpansionOptions = {}): Promise<FileExpansion> {
    const { spaceId, actorId, folder, upload } = archive;
    let staged;
    try {
      staged = await this.prisma.$transaction(async (tx) => {
        const expansion = await tx.fileExpansion.create({
          data: {
            id: newId(),
            spaceId,
            folder: folder.toString(),
            acl: options.acl ?? null,
            archiveKey: upload.objectKey,
            // The session's blob: held by the expansion until it ends (a trigger counts it).
            blobKey: upload.blobKey,
            archiveSize: upload.size ?? 0n,
            archiveSha256: upload.sha256 ?? '',
            createdById: actorId,
          },
        });
        // The session is consumed: its object now belongs to the expansion.
        const { count } = await tx.upload.deleteMany({ where: { id: upload.id, status: 'ready' } });
        if (count === 0)
          throw new HangarError('Conflict', 'The upload session was removed before the expansion took its bytes; send them again.');
        await this.events.stage(tx, uploadEvent(EventTopic.UploadDelete, upload, actorId));
        const message = await this.outbox.stage(tx, JobName.ExpandFileArchive, { spaceId, expansionId: expansion.id });
        return { expansion, message };
      });
    } catch (error) {
      await this.cleanup.discard(upload);
      throw error;
    }
    await this.outbox.dispatchNow([staged.message]);
    return staged.expansion;
  }

  /** A FileExpansion of the space, or 404. */
  async get(spaceId: string, expansionId: string): Promise<FileExpansion> {
    const row = await this.prisma.fileExpansion.findFirst({ where: { id: expansionId, spaceId } });
    if (!row) throw new NotFoundError('FileExpansion', expansionId);
    return row;
  }

  /**
   * Starts an expansion and waits for it up to `waitMs` (bounded by the
   * caller: a dialect that answers only once the files are in). `settled`
   * is false when it is still pending or running at the deadline; the row
   * says how it stands either way.
   */
  async startAndWait(
    spaceId: string,
    actorId: string,
    folder: FilePath,
    body: IncomingBody,
    waitMs: number,
    options: ExpansionOptions = {},
  ): Promise<{ expansion: FileExpansion; settled: boolean }> {
    return this.waitFor(await this.start(spaceId, actorId, folder, body, options), waitMs);
  }

  /** Waits up to `waitMs` for an expansion to end; `settled` is false when it is still pending or running then. */
  async waitFor(started: FileExpansion, waitMs: number): Promise<{ expansion: FileExpansion; settled: boolean }> {
    const deadline = Date.now() + Math.max(0, waitMs);
    let expansion = started;
    for (;;) {
      if (TERMINAL.has(expansion.status)) return { expansion, settled: true };
      if (Date.now() >= deadline) return { expansion, settled: false };
      await sleep(Math.min(POLL_MS, Math.max(0, deadline - Date.now())));
      expansion = await this.get(started.spaceId, started.id);
    }
  }

  /**
   * The worker's half (job `expand-file-archive`). Idempotent: an ended
   * expansion is left as it is; a retried one starts over from its archive
   * after discarding what an earlier attempt wrote. A refusal is recorded
   * (not retried); any other failure (storage, database) is thrown, so the
   * job is retried, and recorded by {@link recordFailure} once it will not be.
   */
  async expand(expansionId: string): Promise<void> {
    const begun = await this.begin(expansionId);
    if (!begun) return;
    const { row, attempt } = begun;
    // Indexed as the plan's files (filled out of order while entries are stored at once).
    const stored: (StoredFileBytes | undefined)[] = [];
    try {
      if (attempt > 1) await this.discardEntries(row);
      const began = Date.now();
      const plan = await this.extract(row, stored);
      const extracted = Date.now();
      await this.commit(row, attempt, plan, stored);
      this.logger.log({
        msg: 'archive expanded',
        expansionId: row.id,
        files: plan.files.length,
        folders: plan.folders.length,
        bytes: plan.bytes,
        extractMs: extracted - began,
        commitMs: Date.now() - extracted,
      });
    } catch (error) {
      if (!(error instanceof ExpansionRefusedError)) {
        for (const bytes of stored) if (bytes !== undefined) await this.files.discardStored(bytes);
        throw error;
      }
      await this.fail(row, error);
      return;
    }
    await this.removeArchive(row);
  }

  /** Records a failure the job will not retry: what the expansion wrote goes, and so does its archive. */
  async recordFailure(expansionId: string, reason: string): Promise<void> {
    const row = await this.prisma.fileExpansion.findUnique({ where: { id: expansionId } });
    if (!row || TERMINAL.has(row.status)) return;
    await this.fail(row, new ExpansionRefusedError('expansion-error', `The expansion failed: ${reason}`));
  }

  private async begin(expansionId: string): Promise<{ row: FileExpansion; attempt: number } | undefined> {
    const rows = await this.prisma.fileExpansion.updateManyAndReturn({
      where: { id: expansionId, status: { in: ['pending', 'running'] } },
      data: { status: 'running', attempts: { increment: 1 }, startedAt: new Date() },
    });
    const row = rows[0];
    return row ? { row, attempt: row.attempts } : undefined;
  }

  private limits(): ZipLimits {
    return {
      maxEntries: this.config.zip.maxEntries,
      maxEntryBytes: this.config.uploads.maxBytes,
      maxTotalBytes: this.config.zip.maxTotalBytes,
      maxCompressionRatio: this.config.zip.maxCompressionRatio,
    };
  }

  /** Checks the whole central directory, then streams each file entry into its own upload session (pushed onto `stored`). */
  private async extract(row: FileExpansion, stored: (StoredFileBytes | undefined)[]): Promise<ExpansionPlan> {
    if (row.archiveKey === null) throw new ExpansionRefusedError('archive-missing', 'The stored archive is gone.');
    const limits = this.limits();
    const archive = await openStoredArchive(this.storage, row.archiveKey, Number(row.archiveSize));
    try {
      assertEntryCount(archive.entryCount, limits);
      assertDirectorySize(Number(row.archiveSize) - archive.centralDirectoryOffset, archive.entryCount);
      const entries = await readEntries(archive.zipfile);
      const plan = planExpansion(entries, FilePath.parse(row.folder), limits, archive.centralDirectoryOffset);
      await this.prisma.fileExpansion.update({ where: { id: row.id }, data: { entryCount: entries.length } });
      const prefix = expansionEntryPrefix(row.spaceId, row.id);
      await eachAtOnce(plan.files, ENTRIES_AT_ONCE, async (file, index) => {
        stored[index] = await this.storeEntry(row, archive.zipfile, file.entry, file.size, prefix);
      });
      return plan;
    } finally {
      archive.zipfile.close();
    }
  }

  private async storeEntry(
    row: FileExpansion,
    zipfile: ZipFile,
    entry: Parameters<typeof entryBytes>[1],
    size: number,
    prefix: string,
  ): Promise<StoredFileBytes> {
    const chunks = await entryBytes(zipfile, entry);
    try {
      return await this.files.storeBytes(
        row.spaceId,
        row.createdById,
        // Hangar reads these bytes itself: no client slot or idle timer; the cap and the hashing are the core's.
        { door: 'zip', chunks, declaredLength: size, clientGone: () => false, sender: 'server' },
        { objectKeyOf: (uploadId) => `${prefix}${uploadId}` },
      );
    } catch (error) {
      if (error instanceof ExpansionRefusedError || !(error instanceof HangarError) || error.status >= 500) throw error;
      // The core refused the entry (over the cap as it streamed, empty…): the archive is refused with its words.
      throw new ExpansionRefusedError('entry-refused', error.message, entry.fileName);
    }
  }

  /** Every version, folder and the row's `succeeded` in one transaction; the sessions are consumed by it. */
  private async commit(
    row: FileExpansion,
    attempt: number,
    plan: ExpansionPlan,
    stored: readonly (StoredFileBytes | undefined)[],
  ): Promise<void> {
    const folder = FilePath.parse(row.folder);
    try {
      await this.prisma.$transaction(
        async (tx) => {
          const target = await this.files.recordFolder(tx, row.spaceId, row.createdById, folder);
          let folders = target.changed ? 1 : 0;
          for (const path of plan.folders)
            if ((await this.files.recordFolder(tx, row.spaceId, row.createdById, path)).changed) folders += 1;
          const writes = plan.files.map((file, index) => {
            const bytes = stored[index];
            if (bytes === undefined) throw new Error(`entry ${index} was not stored`);
            return { path: file.path, stored: bytes };
          });
          for (let start = 0; start < writes.length; start += COMMIT_BATCH) {
            const batch = writes.slice(start, start + COMMIT_BATCH);
            await this.files.recordStoredMany(tx, row.spaceId, row.createdById, batch, { acl: row.acl ?? undefined });
          }
          const { count } = await tx.fileExpansion.updateMany({
            // Only the attempt that began last may finish it (a stalled attempt still running loses).
            where: { id: row.id, status: 'running', attempts: attempt },
            data: {
              status: 'succeeded',
              archiveKey: null,
              blobKey: null,
              fileCount: plan.files.length,
              folderCount: folders,
              bytes: BigInt(plan.bytes),
              finishedAt: new Date(),
            },
          });
          if (count === 0) throw new Error('the expansion was taken over by a later attempt');
        },
        { timeout: COMMIT_TIMEOUT_MS, maxWait: COMMIT_TIMEOUT_MS },
      );
    } catch (error) {
      // A path the space cannot take (a folder where a file goes, a file above the folder…): refused, as for one write.
      if (error instanceof HangarError && error.status === 409) {
        const path = (error.details as { path?: unknown }).path;
        throw new ExpansionRefusedError('path-conflict', error.message, typeof path === 'string' ? path : undefined);
      }
      throw error;
    }
  }

  /**
   * Records the refusal, after discarding what was written (entries first: a
   * crash in between leaves the row running, and the job's retry discards them again).
   */
  private async fail(row: FileExpansion, refusal: ExpansionRefusedError): Promise<void> {
    await this.discardEntries(row);
    await this.prisma.fileExpansion.updateMany({
      where: { id: row.id, status: { in: ['pending', 'running'] } },
      data: {
        status: 'failed',
        archiveKey: null,
        blobKey: null,
        errorReason: refusal.reason,
        errorMessage: refusal.message,
        errorEntry: refusal.entry ?? null,
        finishedAt: new Date(),
      },
    });
    this.logger.log({ msg: 'archive refused', expansionId: row.id, reason: refusal.reason, entry: refusal.entry });
    await this.removeArchive(row);
  }

  /**
   * What any attempt of this expansion wrote and no version took: the upload
   * sessions under its prefix (rows, objects, multipart uploads), then any
   * object left there without one (a session discarded while storage was down).
   */
  private async discardEntries(row: FileExpansion): Promise<void> {
    const prefix = expansionEntryPrefix(row.spaceId, row.id);
    const sessions = await this.prisma.upload.findMany({ where: { spaceId: row.spaceId, objectKey: { startsWith: prefix } } });
    for (const session of sessions) await this.cleanup.discard(session);
    // What no row owns: neither a committed version nor a blob (an entry's bytes that other files of the space share).
    const keys = await this.storage.listKeys(prefix);
    const owned = await this.owners.ownedKeys(keys);
    const stray = keys.filter((key) => !owned.has(key));
    if (stray.length > 0) await this.storage.removeMany(stray);
  }

  /**
   * The archive's bytes once the expansion has ended: its blob's reference was let go in the transaction that ended
   * it (`blobKey` cleared), so the blob goes now unless other rows reference the same bytes (a file of the space
   * that is the same archive). An archive stored before blobs owned its object alone.
   */
  private async removeArchive(row: FileExpansion): Promise<void> {
    const key = row.archiveKey;
    if (key === null) return;
    await this.blobs.release([{ objectKey: key, blobKey: row.blobKey }]).catch((error: unknown) => {
      // No row owns it any more: the purge round or the orphan sweep removes it.
      this.logger.warn({ msg: 'could not remove an expanded archive', key, reason: (error as Error).message });
    });
  }
}

/**
 * Runs `work` over `items`, at most `limit` at once. On the first failure no
 * new item starts; the ones under way are waited for (so whatever they
 * stored is known to the caller before it cleans up), then the failure is thrown.
 */
async function eachAtOnce<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const index = next;
      next += 1;
      try {
        await work(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure !== undefined) throw failure.error;
}
