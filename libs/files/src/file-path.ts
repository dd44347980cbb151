import { HangarError } from '@hangar/domain';

/** One segment (a folder or file name) in UTF-8 bytes: what common file systems allow. */
export const MAX_SEGMENT_BYTES = 255;
/** A whole path in UTF-8 bytes (S3's limit for a key, though paths are not keys here). */
export const MAX_PATH_BYTES = 1024;
/** Folders within folders, at most. */
export const MAX_DEPTH = 32;

/** Why a path was refused: the `details.reason` of its 400, so clients and tests can tell the cases apart. */
export type FilePathProblem =
  | 'empty'
  | 'empty-segment'
  | 'dot-segment'
  | 'encoded-slash'
  | 'backslash'
  | 'control-character'
  | 'bidi-control'
  | 'unpaired-surrogate'
  | 'segment-too-long'
  | 'too-long'
  | 'too-deep';

const EXPLANATION: Record<FilePathProblem, string> = {
  empty: 'The path is empty.',
  'empty-segment': 'The path has an empty segment (two slashes in a row, or a slash at its start or end).',
  'dot-segment': 'Path segments may not be `.`, `..` or dots only.',
  'encoded-slash': 'A path segment may not contain a slash (%2F): folders are separated by plain slashes only.',
  backslash: 'Paths may not contain backslashes.',
  'control-character': 'Paths may not contain control characters.',
  'bidi-control': 'Paths may not contain bidirectional control characters.',
  'unpaired-surrogate': 'Paths may not contain unpaired UTF-16 surrogates.',
  'segment-too-long': `A path segment may be at most ${MAX_SEGMENT_BYTES} bytes (UTF-8).`,
  'too-long': `A path may be at most ${MAX_PATH_BYTES} bytes (UTF-8).`,
  'too-deep': `A path may have at most ${MAX_DEPTH} segments.`,
};

/** 400 BadRequest with `details.reason` naming the problem. */
export class InvalidFilePathError extends HangarError {
  constructor(readonly problem: FilePathProblem) {
    super('BadRequest', EXPLANATION[problem], { reason: problem });
  }
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Embeddings, overrides, isolates and the directional marks: they reorder how a name reads (`invoice\u202Efdp.exe`). */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const DOTS_ONLY = /^\.+$/;

/**
 * A normalised path of a space's files or folders: segments joined by `/`,
 * each in Unicode NFC (so `é` typed precomposed or decomposed names one file),
 * none empty, none dots only (`.` and `..` would be resolved by every URL
 * parser; `...` too is refused, as ids of dots are), and no slash inside a
 * segment, backslash, control or bidirectional control character or unpaired
 * surrogate. Segments are at most 255 bytes, the whole at most 1024, and at
 * most 32 deep. Case is kept and matters.
 */
export class FilePath {
  private constructor(readonly segments: readonly string[]) {}

  /** The root folder: only folders are addressed by it. */
  static readonly ROOT = new FilePath([]);

  /**
   * Reads a path as routes receive it: Express's wildcard segments (already
   * percent-decoded, so an encoded `%2F` shows as a slash inside a segment) or
   * a `/`-separated string (a trailing slash is not allowed: it would be an empty segment).
   */
  static parse(raw: string | readonly string[]): FilePath {
    const segments = typeof raw === 'string' ? raw.split('/') : [...raw];
    if (segments.length === 0 || (segments.length === 1 && segments[0] === '')) throw new InvalidFilePathError('empty');
    if (segments.length > MAX_DEPTH) throw new InvalidFilePathError('too-deep');
    const normalised = segments.map(normaliseSegment);
    const path = new FilePath(normalised);
    if (Buffer.byteLength(path.toString()) > MAX_PATH_BYTES) throw new InvalidFilePathError('too-long');
    return path;
  }

  /** A folder path: the root when there is nothing to parse. */
  static parseFolder(raw: string | readonly string[] | undefined): FilePath {
    if (raw === undefined || raw === '' || (Array.isArray(raw) && raw.length === 0)) return FilePath.ROOT;
    return FilePath.parse(raw);
  }

  get isRoot(): boolean {
    return this.segments.length === 0;
  }

  /** The last segment ('' for the root). */
  get name(): string {
    return this.segments.at(-1) ?? '';
  }

  /** The folder this path is in (the root for a top-level name). */
  get parent(): FilePath {
    return new FilePath(this.segments.slice(0, -1));
  }

  /** Every folder above this path, nearest first, the root left out. */
  ancestors(): FilePath[] {
    const folders: FilePath[] = [];
    for (let length = this.segments.length - 1; length > 0; length -= 1) folders.push(new FilePath(this.segments.slice(0, length)));
    return folders;
  }

  /** The path with each segment percent-encoded, for URLs. */
  toUrlPath(): string {
    return this.segments.map(encodeURIComponent).join('/');
  }

  toString(): string {
    return this.segments.join('/');
  }
}

function normaliseSegment(raw: string): string {
  if (raw === '') throw new InvalidFilePathError('empty-segment');
  if (LONE_SURROGATE.test(raw)) throw new InvalidFilePathError('unpaired-surrogate');
  const segment = raw.normalize('NFC');
  if (segment.includes('/')) throw new InvalidFilePathError('encoded-slash');
  if (segment.includes('\\')) throw new InvalidFilePathError('backslash');
  if (CONTROL.test(segment)) throw new InvalidFilePathError('control-character');
  if (BIDI.test(segment)) throw new InvalidFilePathError('bidi-control');
  if (DOTS_ONLY.test(segment)) throw new InvalidFilePathError('dot-segment');
  if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) throw new InvalidFilePathError('segment-too-long');
  return segment;
}
