import { z } from 'zod';

/** File names: no path separators or control characters (they end up in URLs and Content-Disposition). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FILE_NAME = /^[^/\\\u0000-\u001f\u007f]{1,255}$/;

const uploadLink = z.object({
  sys: z.object({ type: z.literal('Link'), linkType: z.literal('Upload'), id: z.string().min(1).max(64) }),
});

/** One locale of `fields.file` as clients send it: before processing (uploadFrom) or as returned after it (url). */
export const fileInput = z.object({
  contentType: z.string().trim().min(1).max(255),
  fileName: z.string().regex(FILE_NAME, 'must be a file name without "/", "\\" or control characters'),
  uploadFrom: uploadLink.optional(),
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

/** A processed file as stored in `fields.file[locale]` and returned by the API. */
export interface ProcessedFile {
  contentType: string;
  fileName: string;
  url: string;
  details: { size: number; image?: { width: number; height: number } };
}

/** A file waiting to be processed. */
export interface PendingFile {
  contentType: string;
  fileName: string;
  uploadFrom: { sys: { type: 'Link'; linkType: 'Upload'; id: string } };
}

export interface StoredFields {
  title?: Record<string, string>;
  description?: Record<string, string>;
  file?: Record<string, ProcessedFile | PendingFile>;
}

export function isProcessed(file: ProcessedFile | PendingFile | undefined): file is ProcessedFile {
  return file !== undefined && 'url' in file;
}
