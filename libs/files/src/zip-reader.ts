import { PassThrough, pipeline, type Readable, Transform } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, RandomAccessReader, type ZipFile } from 'yauzl';
import { isNotFound, type StorageService } from '@hangar/storage';
import { ExpansionRefusedError } from './zip-guards';

/** Reads of at most this many bytes are served from a window of the object kept in memory (headers, names, small entries). */
const SMALL_READ_BYTES = 64 * 1024;
/** One ranged GET fetches this much around a small read, so the central directory and runs of small entries cost few requests. */
const WINDOW_BYTES = 1024 * 1024;

/**
 * A failure to read the stored archive (storage down, a network error): not
 * the archive's fault, so the expansion is retried rather than refused.
 */
export class ArchiveReadError extends Error {
  override readonly name = 'ArchiveReadError';
  constructor(override readonly cause: unknown) {
    super(`could not read the stored archive: ${(cause as Error).message}`);
  }
}

/**
 * yauzl's random access over a stored object, through ranged GETs of
 * StorageService: a small read (a header, a file name, a small entry) is
 * answered from a 1 MiB window fetched with one GET, so the central
 * directory and runs of small entries cost one request per MiB; a larger
 * read streams its own range. Nothing is spooled; at most one window is held.
 */
export class StoredArchiveReader extends RandomAccessReader {
  private window: { start: number; bytes: Buffer } | undefined;

  constructor(
    private readonly storage: StorageService,
    private readonly key: string,
    private readonly size: number,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    if (end - start <= SMALL_READ_BYTES) {
      this.windowCovering(start, end).then(
        (window) => out.end(window.bytes.subarray(start - window.start, end - window.start)),
        (error: unknown) => out.destroy(readFailure(error)),
      );
      return out;
    }
    this.storage.read(this.key, { start, end: end - 1 }).then(
      // pipeline: when yauzl destroys what it was given (an entry abandoned midway), the GET is destroyed too.
      (source) => pipeline(source, out, (error) => error && out.destroy(readFailure(error))),
      (error: unknown) => out.destroy(readFailure(error)),
    );
    return out;
  }

  private async windowCovering(start: number, end: number): Promise<{ start: number; bytes: Buffer }> {
    const cached = this.window;
    if (cached && start >= cached.start && end <= cached.start + cached.bytes.length) return cached;
    const windowEnd = Math.min(this.size, Math.max(end, start + WINDOW_BYTES));
    const chunks: Buffer[] = [];
    for await (const chunk of await this.storage.read(this.key, { start, end: windowEnd - 1 })) chunks.push(chunk as Buffer);
    this.window = { start, bytes: Buffer.concat(chunks) };
    return this.window;
  }
}

function readFailure(error: unknown): Error {
  return error instanceof ArchiveReadError ? error : new ArchiveReadError(error);
}

/** An opened archive: its entries as the central directory lists them, and where that directory starts. */
export interface OpenedArchive {
  readonly zipfile: ZipFile;
  readonly entryCount: number;
  /** Where the central directory starts: no entry's data may reach into it. */
  readonly centralDirectoryOffset: number;
}

/**
 * Opens a stored archive with yauzl: names checked by yauzl (strict: a
 * backslash is refused, not turned into a slash), entry sizes validated as
 * they are read, entries read one at a time on request.
 */
export async function openStoredArchive(storage: StorageService, key: string, size: number): Promise<OpenedArchive> {
  const reader = new StoredArchiveReader(storage, key, size);
  const zipfile = await new Promise<ZipFile>((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      reader,
      size,
      { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: true },
      (error, opened) => (error ? reject(explainZipError(error)) : resolve(opened)),
    );
  });
  // yauzl reads the central directory from this cursor; it has not moved before the first readEntry().
  const cursor = (zipfile as unknown as { readEntryCursor?: unknown }).readEntryCursor;
  return { zipfile, entryCount: zipfile.entryCount, centralDirectoryOffset: typeof cursor === 'number' ? cursor : size };
}

/** Every entry of the central directory, in order (call only once the count has been checked against the cap). */
export async function readEntries(zipfile: ZipFile): Promise<Entry[]> {
  const entries: Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      zipfile.removeAllListeners();
      reject(explainZipError(error));
    };
    zipfile.on('entry', (entry: Entry) => {
      entries.push(entry);
      zipfile.readEntry();
    });
    zipfile.once('end', () => {
      zipfile.removeAllListeners();
      resolve();
    });
    zipfile.once('error', fail);
    zipfile.readEntry();
  });
  return entries;
}

/**
 * An entry's bytes, decompressed, counted against its declared size (yauzl)
 * and checked against its CRC-32 at the end (yauzl does not): a corrupt or
 * lying entry fails its stream with a refusal naming it.
 */
export async function entryBytes(zipfile: ZipFile, entry: Entry): Promise<AsyncIterable<Buffer>> {
  const stream = await new Promise<Readable>((resolve, reject) => {
    zipfile.openReadStream(entry, (error, opened) => (error ? reject(explainZipError(error, entry.fileName)) : resolve(opened)));
  });
  let crc = 0;
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
    flush(done) {
      done(
        crc === entry.crc32
          ? null
          : new ExpansionRefusedError(
              'corrupt-archive',
              'The entry’s bytes do not match its CRC-32: the archive is damaged.',
              entry.fileName,
            ),
      );
    },
  });
  pipeline(stream, checked, () => undefined);
  return explained(checked, entry.fileName);
}

/** Passes the stream through, turning yauzl's and zlib's errors into refusals (and leaving storage failures as they are). */
async function* explained(stream: Readable, entryName: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw explainZipError(error as Error, entryName);
  } finally {
    stream.destroy();
  }
}

const UNSAFE_NAME = /^(invalid relative path|absolute path|invalid characters in fileName): (.*)$/s;

/**
 * What a yauzl (or zlib) error says about the archive: a refusal with a
 * stable reason; a storage failure stays one (retried); the object gone is a
 * refusal too (nothing to expand).
 */
export function explainZipError(error: Error, entryName?: string): Error {
  if (error instanceof ExpansionRefusedError) return error;
  if (error instanceof ArchiveReadError) {
    return isNotFound(error.cause) ? new ExpansionRefusedError('archive-missing', 'The stored archive is gone.') : error;
  }
  const unsafe = UNSAFE_NAME.exec(error.message);
  if (unsafe) {
    const [, kind = '', name] = unsafe;
    const why =
      kind === 'absolute path'
        ? 'is an absolute path'
        : kind === 'invalid relative path'
          ? 'climbs out of its folder (`..`)'
          : 'contains a backslash';
    return new ExpansionRefusedError('unsafe-path', `An entry’s name ${why}: entries must be relative paths inside the archive.`, name);
  }
  if (/strong encryption/.test(error.message)) {
    return new ExpansionRefusedError('encrypted', 'The archive has encrypted entries; they cannot be expanded.', entryName);
  }
  return new ExpansionRefusedError('corrupt-archive', `The archive is damaged or not a ZIP archive (${error.message}).`, entryName);
}
