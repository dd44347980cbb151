import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { ServiceUnavailableError } from '@hangar/domain';
import { type ObjectBody, type ReplayableBody, StorageService } from '@hangar/storage';

/**
 * Bytes of a part kept in memory before they go to disk: a body smaller than
 * this never touches the disk, and an upload that stalls pins no more than
 * this (and the chunk in hand), whatever the part size — unless the part is
 * small and the process's memory budget has room (below).
 */
export const SPOOL_MEMORY_BYTES = 64 * 1024;

/**
 * The largest part that may wait in memory, out of the process's budget
 * (UPLOAD_MEMORY_BUFFER_BYTES), instead of on disk: only a part whose size
 * is known in advance (a body that declared its length) and small. Every
 * part but a body's last is at least 5 MiB (S3's minimum), so only small
 * bodies — and the short last part of a large one — are ever held: a small
 * upload then costs no file at all (create, write, read back, remove), which
 * on a busy server was a third of its CPU time.
 */
export const MEMORY_PART_MAX_BYTES = 1024 * 1024;

/** Read size when a spooled part is sent on. */
const READ_CHUNK_BYTES = 256 * 1024;

/** Spool directories of this process that are in use (several apps can live in one process: tests). */
const LIVE_DIRECTORIES = new Set<string>();

/** The length of a part, wherever it is held. */
export function sizeOf(body: ObjectBody): number {
  return Buffer.isBuffer(body) ? body.length : body.size;
}

/**
 * Where parts wait between the client and storage. A part is assembled in a
 * file of this process's own directory under UPLOAD_SPOOL_DIR, so a body that
 * stalls holds at most SPOOL_MEMORY_BYTES of it in memory, not a 5 MiB part;
 * storage then streams the file. Files are removed as soon as storage has
 * them, and whatever a write leaves (a failure, a client leaving) when it
 * ends ({@link SpoolSession.close}). A process killed mid-body leaves its
 * directory behind: the next process to start on the same host removes the
 * directories of processes that are gone.
 */
@Injectable()
export class PartSpool implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PartSpool.name);
  private readonly root: string;
  /** This process's directory: `<pid>-<random>`, so others can tell whether its owner still runs. */
  readonly directory: string;
  private sequence = 0;
  /** Bytes of small parts held in memory, across every write of this process. */
  private readonly memory: MemoryBudget;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly storage: StorageService,
  ) {
    this.root = config.uploads.spoolDir;
    this.directory = join(this.root, `${process.pid}-${randomUUID().slice(0, 8)}`);
    this.memory = new MemoryBudget(config.uploads.memoryBufferBytes);
  }

  async onModuleInit(): Promise<void> {
    try {
      await mkdir(this.directory, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new Error(`Cannot create the upload spool directory (UPLOAD_SPOOL_DIR) ${this.directory}: ${(error as Error).message}`);
    }
    LIVE_DIRECTORIES.add(this.directory);
    await this.removeLeftovers();
  }

  async onModuleDestroy(): Promise<void> {
    LIVE_DIRECTORIES.delete(this.directory);
    await rm(this.directory, { recursive: true, force: true });
  }

  /** One write's parts; close it when the write ends, whatever happened. */
  session(): SpoolSession {
    return new SpoolSession(() => join(this.directory, String((this.sequence += 1))), this.storage.signsPayloads, this.memory);
  }

  /** Bytes of parts held in memory right now (for tests and metrics). */
  get memoryInUse(): number {
    return this.memory.used;
  }

  /** Directories whose process is gone (killed mid-body: no `finally` ran). */
  private async removeLeftovers(): Promise<void> {
    for (const entry of await readdir(this.root)) {
      const path = join(this.root, entry);
      const owner = /^(\d+)-[0-9a-f]{8}$/.exec(entry)?.[1];
      if (owner === undefined || LIVE_DIRECTORIES.has(path)) continue;
      // Our own pid on a directory we did not make: its owner died and we were given its pid (pid 1 in a container).
      if (Number(owner) !== process.pid && isRunning(Number(owner))) continue;
      await rm(path, { recursive: true, force: true });
      this.logger.log({ msg: 'removed the upload spool of a process that is gone', path });
    }
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A count of bytes that may be held at once, taken and given back by the writes that hold them. */
export class MemoryBudget {
  used = 0;

  constructor(private readonly limit: number) {}

  /** Takes `bytes` if they fit; false (nothing taken) if not. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }
}

/**
 * The parts of one write. Every file it made and storage has not released
 * yet is removed by {@link close}, so no path — a client gone between two
 * parts, a failure before a part reached storage — leaves one behind.
 */
export class SpoolSession {
  private readonly files = new Set<string>();
  /** Budget this write's parts hold: given back when the write ends (storage has them, or they were given up). */
  private held = 0;

  constructor(
    private readonly nextPath: () => string,
    private readonly digest: boolean,
    private readonly memory: MemoryBudget = new MemoryBudget(0),
  ) {}

  /**
   * Regroups a byte stream into parts of exactly `partSize` bytes (the last
   * one may be shorter). A part up to SPOOL_MEMORY_BYTES is a buffer, and so
   * is one up to MEMORY_PART_MAX_BYTES when `expectedBytes` (the stream's
   * length, if known) says it will be that small and the process's memory
   * budget has room for it; a larger one is a file, with its SHA-256 when
   * storage signs payloads. Reading pauses while the consumer works.
   */
  async *parts(source: AsyncIterable<Buffer>, partSize: number, expectedBytes?: number): AsyncGenerator<ObjectBody> {
    let remaining = expectedBytes;
    const nextPart = () => new PartWriter(this, this.digest, remaining === undefined ? undefined : Math.min(partSize, remaining));
    let part: PartWriter | undefined = nextPart();
    try {
      for await (const piece of source) {
        let chunk = piece;
        while (part.size + chunk.length >= partSize) {
          const take = partSize - part.size;
          await part.write(chunk.subarray(0, take));
          const full = await part.finish();
          if (remaining !== undefined) remaining = Math.max(0, remaining - partSize);
          part = nextPart();
          yield full;
          chunk = chunk.subarray(take);
        }
        if (chunk.length > 0) await part.write(chunk);
      }
      if (part.size > 0) {
        const last = await part.finish();
        part = undefined;
        yield last;
      }
    } finally {
      await part?.discard();
    }
  }

  /**
   * A copy of bytes that are sent on elsewhere as they arrive (a part
   * streamed to storage), kept in case that send must be given up and the
   * bytes written another way. Never hashed: it is not sent as it is.
   */
  copy(): SpoolCopy {
    return new PartWriter(this, false);
  }

  /** Removes every file of this session still on disk, and gives back the memory its parts held. */
  async close(): Promise<void> {
    this.release(this.held);
    await Promise.all([...this.files].map((path) => this.remove(path)));
  }

  /** @internal takes `bytes` of the process's memory budget for a part, if it has room */
  reserve(bytes: number): boolean {
    if (!this.memory.take(bytes)) return false;
    this.held += bytes;
    return true;
  }

  /** @internal */
  release(bytes: number): void {
    this.held -= bytes;
    this.memory.give(bytes);
  }

  /** @internal a new file for a part */
  async create(): Promise<{ path: string; handle: FileHandle }> {
    const path = this.nextPath();
    this.files.add(path);
    try {
      return { path, handle: await open(path, 'wx', 0o600) };
    } catch (error) {
      this.files.delete(path);
      throw error;
    }
  }

  /** @internal */
  async remove(path: string): Promise<void> {
    this.files.delete(path);
    await rm(path, { force: true });
  }
}

/** Errors of a file system with no room left (ENOSPC) or no quota left for us (EDQUOT). */
const DISK_FULL: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT']);

/** Bytes kept on the side: {@link SpoolSession.copy}. */
export interface SpoolCopy {
  readonly size: number;
  write(chunk: Buffer): Promise<void>;
  /** What was kept: a buffer, or a file to read back (released when the spool session closes, if not before). */
  finish(): Promise<ObjectBody>;
  discard(): Promise<void>;
}

/**
 * One part being assembled: in memory up to SPOOL_MEMORY_BYTES — or, while
 * it is no larger than MEMORY_PART_MAX_BYTES and the process's budget has
 * room, all of it — then in its file. A disk write runs while the next bytes
 * arrive (one at a time, so the file is written in order): the body waits
 * for the disk only when the disk is the slower of the two. On disk, at most
 * two batches of SPOOL_MEMORY_BYTES (and a chunk) are held: the one being
 * written and the one filling. A part that stays in memory is a buffer, and
 * is not hashed here (storage signs a buffer itself).
 */
class PartWriter implements SpoolCopy {
  size = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private file: { path: string; handle: FileHandle } | undefined;
  /** The digest of what went to disk (the whole part, once it is a file): computed as the bytes are written. */
  private readonly hash: Hash | undefined;
  /** The disk write under way; its failure is reported by the next write, finish or discard. */
  private writing: Promise<void> | undefined;
  /** Of the process's memory budget, what this part holds (beyond SPOOL_MEMORY_BYTES) while it stays in memory. */
  private reserved = 0;

  /** `expectedBytes`: the part's size, when it is known before its bytes arrive. */
  constructor(
    private readonly session: SpoolSession,
    digest: boolean,
    expectedBytes?: number,
  ) {
    this.hash = digest ? createHash('sha256') : undefined;
    const beyond = (expectedBytes ?? Infinity) - SPOOL_MEMORY_BYTES;
    if (beyond > 0 && (expectedBytes ?? Infinity) <= MEMORY_PART_MAX_BYTES && session.reserve(beyond)) this.reserved = beyond;
  }

  async write(chunk: Buffer): Promise<void> {
    this.size += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.inMemory()) return;
    await this.writing;
    const writing = this.flush();
    writing.catch(() => undefined);
    this.writing = writing;
  }

  /**
   * Whether the part, as it now is, may stay in memory; if not (it grew past what it reserved), it goes to disk
   * from now on and gives its memory back.
   */
  private inMemory(): boolean {
    if (this.file !== undefined || this.writing !== undefined) return false;
    if (this.pendingBytes <= SPOOL_MEMORY_BYTES + this.reserved) return true;
    this.session.release(this.reserved);
    this.reserved = 0;
    return false;
  }

  /** The finished part: its bytes if they never left memory, else its file (closed). */
  async finish(): Promise<ObjectBody> {
    if (this.file === undefined && this.writing === undefined) return Buffer.concat(this.pending, this.pendingBytes);
    await this.writing;
    await this.flush();
    const { path, handle } = this.file as { path: string; handle: FileHandle };
    await handle.close();
    const session = this.session;
    const body: ReplayableBody = {
      size: this.size,
      sha256: this.hash?.digest('hex'),
      open: (): Readable => createReadStream(path, { highWaterMark: READ_CHUNK_BYTES }),
      release: () => session.remove(path),
    };
    return body;
  }

  /** Drops an unfinished part and its file. */
  async discard(): Promise<void> {
    this.pending = [];
    this.session.release(this.reserved);
    this.reserved = 0;
    await this.writing?.catch(() => undefined);
    if (this.file === undefined) return;
    await this.file.handle.close().catch(() => undefined);
    await this.session.remove(this.file.path);
  }

  /** Writes what is pending (taken at once: bytes that arrive meanwhile wait for the next write). */
  private async flush(): Promise<void> {
    let buffers = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      this.file ??= await this.session.create();
      for (const buffer of buffers) this.hash?.update(buffer);
      while (buffers.length > 0) {
        // writev may write less than asked (a full disk fails it instead); go on where it stopped.
        const { bytesWritten } = await this.file.handle.writev(buffers);
        buffers = unwritten(buffers, bytesWritten);
      }
    } catch (error) {
      // A full spool disk is the server's shortage, not the client's fault nor a bug: 503, try again later.
      if (DISK_FULL.has((error as NodeJS.ErrnoException).code ?? '')) throw new ServiceUnavailableError('upload spool disk');
      throw error;
    }
  }
}

/** What is left of `buffers` once their first `written` bytes are out. */
function unwritten(buffers: Buffer[], written: number): Buffer[] {
  let skip = written;
  const left: Buffer[] = [];
  for (const buffer of buffers) {
    if (skip >= buffer.length) skip -= buffer.length;
    else {
      left.push(skip > 0 ? buffer.subarray(skip) : buffer);
      skip = 0;
    }
  }
  return left;
}
