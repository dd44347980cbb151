import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { type ValidationErrorDetail, ValidationFailedError } from '@hangar/domain';
import { LocalesService } from '../locales/locales.service';
import type { EnvironmentTarget } from '../common/environment-target';
import { type AssetFieldsInput, isProcessed, type PendingFile, type ProcessedFile, type StoredFields } from './asset-fields';

export interface ResolvedFields {
  fields: StoredFields;
  /** Default-locale copies, for indexed filters and sorting. */
  title: string | null;
  contentType: string | null;
}

/**
 * Checks an asset body against the environment (locales, linked uploads, the
 * asset's processed files) and turns it into what is stored. Every problem is
 * reported at once as 422 `ValidationFailed` with Contentful's paths.
 */
@Injectable()
export class AssetFieldsResolver {
  constructor(
    private readonly prisma: PrismaService,
    private readonly locales: LocalesService,
  ) {}

  async resolve(target: EnvironmentTarget, input: AssetFieldsInput, current: StoredFields | undefined): Promise<ResolvedFields> {
    const codes = await this.locales.codes(target.spaceId, target.environmentId);
    const known = new Set(codes);
    const errors: ValidationErrorDetail[] = [];

    for (const field of ['title', 'description', 'file'] as const) {
      for (const locale of Object.keys(input[field] ?? {})) {
        if (!known.has(locale))
          errors.push({
            name: 'unknown',
            path: ['fields', field, locale],
            details: `Locale ${locale} does not exist in this environment.`,
          });
      }
    }

    const linkedIds = Object.values(input.file ?? {})
      .map((file) => file.uploadFrom?.sys.id)
      .filter((id): id is string => id !== undefined);
    const live = new Set(
      (
        await this.prisma.upload.findMany({
          where: { id: { in: linkedIds }, ...target, status: 'ready', expiresAt: { gt: new Date() } },
          select: { id: true },
        })
      ).map((upload) => upload.id),
    );

    const file: Record<string, ProcessedFile | PendingFile> = {};
    for (const [locale, entry] of Object.entries(input.file ?? {})) {
      const path = ['fields', 'file', locale];
      if (entry.upload !== undefined) {
        errors.push({
          name: 'notSupported',
          path: [...path, 'upload'],
          details: 'Remote upload URLs are not supported yet: send the bytes to the Upload API and link them with uploadFrom.',
        });
      } else if (entry.uploadFrom) {
        const uploadId = entry.uploadFrom.sys.id;
        if (live.has(uploadId)) {
          file[locale] = {
            contentType: entry.contentType,
            fileName: entry.fileName,
            uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: uploadId } },
          };
        } else {
          errors.push({
            name: 'notResolvable',
            path: [...path, 'uploadFrom'],
            details: `Upload ${uploadId} does not exist, has expired, or belongs to another space or environment.`,
          });
        }
      } else if (entry.url !== undefined) {
        const stored = current?.file?.[locale];
        if (isProcessed(stored) && stored.url === entry.url) {
          // The processed file as returned by GET: kept as it is (its details are ours, not the client's).
          file[locale] = stored;
        } else {
          errors.push({
            name: 'invalid',
            path: [...path, 'url'],
            details: 'A file url can only be one this asset already has; link new files with uploadFrom.',
          });
        }
      } else {
        errors.push({
          name: 'required',
          path: [...path, 'uploadFrom'],
          details: 'A file needs uploadFrom (a link to an Upload) or upload (a URL).',
        });
      }
    }
    if (errors.length > 0) throw new ValidationFailedError(errors);

    const fields: StoredFields = {};
    if (input.title) fields.title = input.title;
    if (input.description) fields.description = input.description;
    if (input.file) fields.file = file;
    const defaultLocale = codes[0] ?? 'en-US';
    return { fields, title: input.title?.[defaultLocale] ?? null, contentType: file[defaultLocale]?.contentType ?? null };
  }
}
