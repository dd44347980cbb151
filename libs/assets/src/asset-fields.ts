import type { Prisma } from '@hangar/database';
import { z } from 'zod';

/**
 * File names: no path separators or control characters (they end up in URLs and Content-Disposition),
 * no bidirectional embeddings, overrides or isolates (U+202A–U+202E, U+2066–U+2069: they make
 * `invoice\u202Efdp.exe` show as `invoiceexe.pdf` in a download dialog), and not dots only (`.` and `..`
 * are path segments no client could fetch).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FILE_NAME = /^(?!\.+$)[^/\\\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]{1,255}$/;

/**
 * An RFC 9110 media type (`type/subtype` with optional `; name=value` parameters): anything
 * else — control characters, line breaks, non-ASCII, extension-like names such as `html` —
 * could not be sent back in a Content-Type header as it was given.
 */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const QUOTED_STRING = '"(?:[\\t !#-\\[\\]-~]|\\\\[\\t !-~])*"';
export const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED_STRING}))*$`);

/** The longest `upload` URL taken: what browsers and CDNs reliably handle (the URL is stored with the asset and shown back). */
export const MAX_REMOTE_URL_LENGTH = 2048;

/**
 * Why `value` cannot be a `fields.file[locale].upload` URL, if it cannot: it
 * must be an absolute http(s) URL, written without whitespace or
 * control characters (the URL parser would silently drop or re-encode them,
 * so the URL fetched would not be the one stored). Whether its host may be
 * fetched is decided when it is fetched (libs/outbound): the addresses it
 * resolves to then are the ones that count.
 */
export function remoteUrlProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'must be a URL without spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  // http and https URLs always have a host: the parser refuses one without.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// URL, not ${url.protocol}`;
  return undefined;
}

const uploadLinkInput = z.object({
  sys: z.object({ type: z.literal('Link'), linkType: z.literal('Upload'), id: z.string().min(1).max(64) }),
});

/**
 * One locale of `fields.file` as clients send it: before processing (`uploadFrom`, or `upload` with a
 * URL to import from) or as returned after it (`url`).
 */
export const fileInput = z.object({
  contentType: z.string().trim().min(1).max(255).regex(MEDIA_TYPE, 'must be a media type such as image/png'),
  fileName: z
    .string()
    .regex(FILE_NAME, 'must be a file name without "/", "\\", control or bidirectional override characters, and not only dots'),
  uploadFrom: uploadLinkInput.optional(),
  upload: z.string().max(MAX_REMOTE_URL_LENGTH).optional(),
  url: z.string().max(2048).optional(),
  // Sent back as GET returned them (the SDK PUTs the whole file); the processed file is kept as stored, never these.
  details: z.unknown().optional(),
  hangar: z.unknown().optional(),
});
export type FileInput = z.output<typeof fileInput>;

const MAX_LOCALES = 200;
const localized = <T extends z.ZodType>(value: T) =>
  z
    .record(z.string().max(35), value)
    .refine((map) => Object.keys(map).length <= MAX_LOCALES, { message: `at most ${MAX_LOCALES} locales` });

export const assetFieldsInput = z.object({
  title: localized(z.string().max(5_000)).optional(),
  description: localized(z.string().max(50_000)).optional(),
  file: localized(fileInput).optional(),
});
export type AssetFieldsInput = z.output<typeof assetFieldsInput>;

/** The body of POST/PUT on an asset; `sys` and `metadata` that SDKs send back are accepted and ignored. */
export const assetBody = z.object({
  fields: assetFieldsInput,
  sys: z.unknown().optional(),
  metadata: z.unknown().optional(),
});
export type AssetBody = z.output<typeof assetBody>;

export interface UploadLink {
  readonly sys: { readonly type: 'Link'; readonly linkType: 'Upload'; readonly id: string };
}

/** A file waiting to be processed from an Upload (`uploadFrom`). */
export interface LinkedFile {
  readonly contentType: string;
  readonly fileName: string;
  readonly uploadFrom: UploadLink;
}

/** A file waiting to be processed from a remote URL (`upload`), which the worker imports into an Upload first. */
export interface RemoteFile {
  readonly contentType: string;
  readonly fileName: string;
  readonly upload: string;
}

/** A file waiting to be processed. */
export type PendingFile = LinkedFile | RemoteFile;

/**
 * What Hangar adds beside Contentful's `details` for a raster image whose
 * bytes processing decoded (see README, Assets): a placeholder, the dominant
 * colour, the EXIF orientation the original has (left out when it has none)
 * and whether its EXIF carries a GPS position.
 */
export interface HangarImageMetadata {
  readonly placeholder: { readonly thumbhash: string };
  readonly dominantColor: string;
  readonly exifOrientation?: number;
  readonly hasGps: boolean;
}

/** A processed file, as stored in `fields.file[locale]` and returned by the API. */
export interface ProcessedFile {
  readonly contentType: string;
  readonly fileName: string;
  readonly url: string;
  /** Exactly Contentful's shape; `image` is the displayed size (EXIF orientation applied). */
  readonly details: { readonly size: number; readonly image?: { readonly width: number; readonly height: number } };
  readonly hangar?: HangarImageMetadata;
}

/** `fields.file[locale]`: the one shape the api and the worker share. */
export type AssetFileField = PendingFile | ProcessedFile;

/** An asset's `fields`, exactly as stored and returned. */
export interface AssetFields {
  title?: Record<string, string>;
  description?: Record<string, string>;
  file?: Record<string, AssetFileField>;
}

export function isProcessed(file: AssetFileField | undefined): file is ProcessedFile {
  return file !== undefined && 'url' in file;
}

export function isLinked(file: AssetFileField | undefined): file is LinkedFile {
  return file !== undefined && 'uploadFrom' in file;
}

export function isRemote(file: AssetFileField | undefined): file is RemoteFile {
  return file !== undefined && 'upload' in file;
}

export function isPending(file: AssetFileField | undefined): file is PendingFile {
  return isLinked(file) || isRemote(file);
}

/**
 * Where a processing request takes its bytes from, as its row records it:
 * a linked Upload, or a URL (whose Upload the worker fills in once it has
 * imported it).
 */
export interface FileSource {
  readonly uploadId: string | null;
  readonly sourceUrl: string | null;
}

/** The source a process request for `file` records. */
export function sourceOf(file: PendingFile): FileSource {
  return isRemote(file) ? { uploadId: null, sourceUrl: file.upload } : { uploadId: file.uploadFrom.sys.id, sourceUrl: null };
}

/**
 * Whether the asset's file still names the source a request was made for:
 * the same linked Upload, or the same URL (whatever the import made of it).
 * A request whose file was replaced since must not be applied.
 */
export function stillWaitsFor(file: AssetFileField | undefined, request: FileSource): boolean {
  if (isRemote(file)) return request.sourceUrl === file.upload;
  if (isLinked(file)) return request.sourceUrl === null && request.uploadId === file.uploadFrom.sys.id;
  return false;
}

/**
 * The stored `fields` column as its type. Only this module's validator writes
 * it, so the cast is the one place the JSON is trusted.
 */
export function fieldsOf(asset: { fields: Prisma.JsonValue }): AssetFields {
  return asset.fields as AssetFields;
}

/** The file of a locale of an asset's fields, looked up without touching the prototype chain. */
export function fileOf(fields: AssetFields, locale: string): AssetFileField | undefined {
  return fields.file !== undefined && Object.hasOwn(fields.file, locale) ? fields.file[locale] : undefined;
}
