import { Injectable } from '@nestjs/common';
import { type Prisma, PrismaService } from '@hangar/database';
import { type EnvironmentTarget, type ValidationErrorDetail, ValidationFailedError } from '@hangar/domain';
import { UploadsService } from '@hangar/ingest';
import { type AssetFields, type AssetFieldsInput, type AssetFileField, fileOf, isProcessed, remoteUrlProblem } from './asset-fields';
import { environmentLocales } from './environment-locales';

export interface ValidatedFields {
  fields: AssetFields;
  /** Default-locale copies, for indexed filters and sorting. */
  title: string | null;
  contentType: string | null;
}

/**
 * Checks an asset body against its environment (locales, linked uploads,
 * the asset's processed files) and turns it into what is stored. Every
 * problem is reported at once as 422 `ValidationFailed` with Contentful's paths.
 */
@Injectable()
export class AssetFieldsValidator {
  constructor(
    private readonly prisma: PrismaService,
    private readonly uploads: UploadsService,
  ) {}

  async validate(target: EnvironmentTarget, input: AssetFieldsInput, current: AssetFields | undefined): Promise<ValidatedFields> {
    const { codes, defaultCode } = await environmentLocales(this.prisma, target);
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
    const live = await this.uploads.liveIds(target, linkedIds);

    const file: Record<string, AssetFileField> = {};
    for (const [locale, entry] of Object.entries(input.file ?? {})) {
      const path = ['fields', 'file', locale];
      if (entry.upload !== undefined) {
        const problem = remoteUrlProblem(entry.upload);
        if (entry.uploadFrom) {
          errors.push({
            name: 'invalid',
            path: [...path, 'upload'],
            details: 'A file comes from uploadFrom (a link to an Upload) or from upload (a URL), not both.',
          });
        } else if (problem !== undefined) {
          errors.push({ name: 'invalid', path: [...path, 'upload'], details: `upload ${problem}.` });
        } else {
          // Fetched at processing, where every address it leads to is checked (libs/outbound).
          file[locale] = { contentType: entry.contentType, fileName: entry.fileName, upload: entry.upload };
        }
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
        const stored = current && fileOf(current, locale);
        if (isProcessed(stored) && stored.url === entry.url) {
          // The processed file as returned by GET: kept as it is (its details are ours, not the client's).
          file[locale] = stored;
        } else {
          errors.push({
            name: 'invalid',
            path: [...path, 'url'],
            details: 'A file url can only be one this asset already has; link new files with uploadFrom, or give a URL as upload.',
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

    const fields: AssetFields = {};
    if (input.title) fields.title = input.title;
    if (input.description) fields.description = input.description;
    if (input.file) fields.file = file;
    const defaultTitle =
      defaultCode !== undefined && input.title && Object.hasOwn(input.title, defaultCode) ? input.title[defaultCode] : undefined;
    return {
      fields,
      title: defaultTitle ?? null,
      contentType: (defaultCode !== undefined && fileOf(fields, defaultCode)?.contentType) || null,
    };
  }
}

/** The stored form of validated fields, for Prisma. */
export function storedFields(validated: ValidatedFields): {
  fields: Prisma.InputJsonValue;
  title: string | null;
  contentType: string | null;
} {
  return { fields: validated.fields as Prisma.InputJsonValue, title: validated.title, contentType: validated.contentType };
}
