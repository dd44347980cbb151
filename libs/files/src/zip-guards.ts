import type { Entry } from 'yauzl';
import { FilePath, InvalidFilePathError } from './file-path';

/** Why an archive was refused: the `error.reason` of a failed FileExpansion, stable for clients and tests. */
export type ExpansionRefusalReason =
  | 'too-many-entries'
  | 'directory-too-large'
  | 'entry-too-large'
  | 'total-too-large'
  | 'compression-ratio'
  | 'unsafe-path'
  | 'invalid-path'
  | 'symlink'
  | 'encrypted'
  | 'unsupported-compression'
  | 'empty-file'
  | 'duplicate-name'
  | 'path-conflict'
  | 'overlapping-entries'
  | 'corrupt-archive'
  | 'archive-missing'
  | 'entry-refused'
  | 'expansion-error';

/** An archive (or one of its entries) that will not be expanded; nothing of it is written. */
export class ExpansionRefusedError extends Error {
  override readonly name = 'ExpansionRefusedError';
  constructor(
    readonly reason: ExpansionRefusalReason,
    message: string,
    /** The entry's name as the archive gives it, when one entry is the cause. */
    readonly entry?: string,
  ) {
    super(message);
  }
}

export interface ZipLimits {
  readonly maxEntries: number;
  /** Per file entry, uncompressed (UPLOAD_MAX_BYTES: what any other write may store). */
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
  readonly maxCompressionRatio: number;
}

/** Entries smaller than this are not held to the compression ratio: a few KiB of zeros compress 1000:1 and harm nobody. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

/** Unix file type bits in the high half of `externalFileAttributes`. */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Bytes of a local file header before its name. */
const LOCAL_HEADER_BYTES = 30;

export interface PlannedFile {
  readonly entry: Entry;
  readonly path: FilePath;
  readonly size: number;
}

/** What an archive will become: its files (in archive order), its explicit folders, and the files' bytes. */
export interface ExpansionPlan {
  readonly files: readonly PlannedFile[];
  readonly folders: readonly FilePath[];
  readonly bytes: number;
}

/** The first guard, before any entry is read: the central directory's own count. */
export function assertEntryCount(entryCount: number, limits: ZipLimits): void {
  if (entryCount > limits.maxEntries) {
    throw new ExpansionRefusedError(
      'too-many-entries',
      `The archive has ${entryCount} entries; at most ${limits.maxEntries} are expanded (ZIP_MAX_ENTRIES).`,
    );
  }
}

/**
 * Room for one central directory record: 46 bytes, a name (paths are at most 1 KiB), and its
 * extra fields (zip64 sizes, timestamps, a Unicode copy of the name). Legitimate archives use
 * far less; the bound keeps the records read into memory proportional to the entry cap.
 */
export const MAX_DIRECTORY_BYTES_PER_ENTRY = 4096;
/** The end records after the directory: up to a 64 KiB comment and the zip64 records. */
const END_RECORDS_BYTES = 64 * 1024 + 128;

/**
 * The second guard, still before any entry is read: the directory's bytes (from its start to
 * the end of the archive) against its count. yauzl keeps each record's name, extra fields
 * and comment (up to 192 KiB each), so ten thousand inflated records would hold gigabytes.
 */
export function assertDirectorySize(directoryBytes: number, entryCount: number): void {
  const allowed = entryCount * MAX_DIRECTORY_BYTES_PER_ENTRY + END_RECORDS_BYTES;
  if (directoryBytes > allowed) {
    throw new ExpansionRefusedError(
      'directory-too-large',
      `The archive's central directory takes ${directoryBytes} bytes for ${entryCount} entries; at most ${MAX_DIRECTORY_BYTES_PER_ENTRY} per entry.`,
    );
  }
}

/**
 * Checks every entry of the central directory before a byte is extracted,
 * and says what the archive will become under `folder`. Refuses (the first
 * problem found, naming its entry): symlinks, encrypted entries, compression
 * methods yauzl cannot decode, empty files (the ingestion core takes no empty
 * body), paths FilePath refuses once joined under the folder, entries over
 * the per-entry or total uncompressed caps or past the compression ratio,
 * two entries with one path after Unicode normalisation, a file where
 * another entry needs a folder, and entries whose data overlap (one local
 * file's bytes counted twice: the overlapping-files bomb). Names with `..`,
 * absolute paths and backslashes never get here: yauzl refuses them as it
 * reads the directory (zip-reader.ts). Entry sizes are as declared; yauzl
 * fails an entry whose bytes do not match them as it is extracted.
 */
export function planExpansion(
  entries: readonly Entry[],
  folder: FilePath,
  limits: ZipLimits,
  centralDirectoryOffset: number,
): ExpansionPlan {
  assertEntryCount(entries.length, limits);
  const files: PlannedFile[] = [];
  const folders: FilePath[] = [];
  /** Every path the archive names, normalised, with the entry that named it. */
  const named = new Map<string, { entry: Entry; kind: 'file' | 'folder' }>();
  let bytes = 0;
  for (const entry of entries) {
    const name = entry.fileName;
    const isFolder = name.endsWith('/');
    const mode = (entry.externalFileAttributes >>> 16) & S_IFMT;
    if (mode === S_IFLNK) throw new ExpansionRefusedError('symlink', 'The archive has a symbolic link; links are not expanded.', name);
    if (entry.isEncrypted())
      throw new ExpansionRefusedError('encrypted', 'The archive has an encrypted entry; it cannot be expanded.', name);
    if (!isFolder && !entry.canDecodeFileData()) {
      throw new ExpansionRefusedError(
        'unsupported-compression',
        `The entry uses compression method ${entry.compressionMethod}; only stored (0) and deflated (8) entries are expanded.`,
        name,
      );
    }
    const path = entryPath(folder, name, isFolder);
    const key = path.toString();
    const earlier = named.get(key);
    if (earlier && (earlier.kind === 'file' || !isFolder)) {
      throw new ExpansionRefusedError(
        'duplicate-name',
        `Two entries name the same path once normalised (Unicode NFC): ${JSON.stringify(earlier.entry.fileName)} and ${JSON.stringify(name)}.`,
        name,
      );
    }
    named.set(key, { entry, kind: isFolder ? 'folder' : 'file' });
    if (isFolder) {
      folders.push(path);
      continue;
    }
    const size = entry.uncompressedSize;
    if (size === 0) throw new ExpansionRefusedError('empty-file', 'The entry is an empty file; files must have at least one byte.', name);
    // Before the caps: a bomb is told as one, whatever it would expand to.
    if (size >= RATIO_FLOOR_BYTES && size > limits.maxCompressionRatio * Math.max(entry.compressedSize, 1)) {
      throw new ExpansionRefusedError(
        'compression-ratio',
        `The entry expands ${Math.round(size / Math.max(entry.compressedSize, 1))} times; at most ${limits.maxCompressionRatio} (ZIP_MAX_COMPRESSION_RATIO).`,
        name,
      );
    }
    if (size > limits.maxEntryBytes) {
      throw new ExpansionRefusedError(
        'entry-too-large',
        `The entry holds ${size} bytes uncompressed; a file may have at most ${limits.maxEntryBytes} (UPLOAD_MAX_BYTES).`,
        name,
      );
    }
    bytes += size;
    if (bytes > limits.maxTotalBytes) {
      throw new ExpansionRefusedError(
        'total-too-large',
        `The archive's files hold more than ${limits.maxTotalBytes} bytes uncompressed (ZIP_MAX_TOTAL_BYTES).`,
        name,
      );
    }
    files.push({ entry, path, size });
  }
  assertNoFileAsFolder(files, named);
  assertNoOverlap(entries, centralDirectoryOffset);
  return { files, folders, bytes };
}

/** The entry's path under the target folder, by FilePath's rules (so NFC-normalised). */
function entryPath(folder: FilePath, name: string, isFolder: boolean): FilePath {
  const relative = isFolder ? name.slice(0, -1) : name;
  try {
    return FilePath.parse([...folder.segments, ...relative.split('/')]);
  } catch (error) {
    if (error instanceof InvalidFilePathError) {
      throw new ExpansionRefusedError('invalid-path', `The entry's path is refused: ${error.message}`, name);
    }
    throw error;
  }
}

/** A file may not sit where another entry needs a folder (`a` and `a/b`). */
function assertNoFileAsFolder(files: readonly PlannedFile[], named: Map<string, { entry: Entry; kind: 'file' | 'folder' }>): void {
  for (const file of files) {
    for (const ancestor of file.path.ancestors()) {
      const clash = named.get(ancestor.toString());
      if (clash?.kind === 'file') {
        throw new ExpansionRefusedError(
          'path-conflict',
          `${JSON.stringify(clash.entry.fileName)} is a file, so ${JSON.stringify(file.entry.fileName)} cannot be inside it.`,
          file.entry.fileName,
        );
      }
    }
  }
}

/**
 * Each entry's local header and data take at least 30 bytes, its name and
 * its compressed size from where the directory says it starts; two entries
 * whose spans cross (or one reaching into the central directory) share bytes.
 */
function assertNoOverlap(entries: readonly Entry[], centralDirectoryOffset: number): void {
  const spans = entries
    .map((entry) => ({
      entry,
      start: entry.relativeOffsetOfLocalHeader,
      end: entry.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + entry.fileNameLength + entry.compressedSize,
    }))
    .sort((a, b) => a.start - b.start);
  for (const [index, span] of spans.entries()) {
    const next = spans[index + 1];
    const limit = next?.start ?? centralDirectoryOffset;
    if (span.end > limit) {
      throw new ExpansionRefusedError(
        'overlapping-entries',
        next
          ? `The entries ${JSON.stringify(span.entry.fileName)} and ${JSON.stringify(next.entry.fileName)} overlap in the archive.`
          : `The entry ${JSON.stringify(span.entry.fileName)} reaches into the archive's central directory.`,
        span.entry.fileName,
      );
    }
  }
}
