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

const uploadLinkInput = z.object({
  sys: z.object({ type: z.literal('Link'), linkType: z.literal('Upload'), id: z.string().min(1).max(64) }),
});

/** One locale of `fields.file` as clients send it: before processing (uploadFrom) or as returned after it (url). */
export const fileInput = z.object({
  contentType: z.string().trim().min(1).max(255).regex(MEDIA_TYPE, 'must be a media type such as image/png'),
  fileName: z
    .string()
    .regex(FILE_NAME, 'must be a file name without "/", "\\", control or bidirectional override characters, and not only dots'),
  uploadFrom: uploadLinkInput.optional(),
  upload: z.string().max(2048).optional(),
  url: z.string().max(2048).optional(),
  details: z.unknown().optional(),
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

/** A file waiting to be processed. */
export interface PendingFile {
  readonly contentType: string;
  readonly fileName: string;
  readonly uploadFrom: UploadLink;
}

/** A processed file, as stored in `fields.file[locale]` and returned by the API. */
export interface ProcessedFile {
  readonly contentType: string;
  readonly fileName: string;
  readonly url: string;
  readonly details: { readonly size: number; readonly image?: { readonly width: number; readonly height: number } };
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

export function isPending(file: AssetFileField | undefined): file is PendingFile {
  return file !== undefined && 'uploadFrom' in file;
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
