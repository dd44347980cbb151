import { fileInput } from '@hangar/assets';
import { HangarError, ValidationFailedError } from '@hangar/domain';
import type { UploadDescription } from '@hangar/ingest';
import { isUnstorableText } from '../common/unstorable-text';

type Path = readonly (string | number)[];

/**
 * The rules a client-given file name or media type must meet to be kept with
 * an upload: the ones an asset's `fields.file` holds them to (an upload's
 * name and type are what a client copies there), and text PostgreSQL can
 * store — the same 400 naming the path as for every JSON string.
 */
function checked(value: string, rule: typeof fileInput.shape.fileName, path: Path): string {
  if (isUnstorableText(value)) {
    throw new HangarError('BadRequest', 'Text may not contain NUL characters or unpaired UTF-16 surrogates.', { path });
  }
  const result = rule.safeParse(value);
  if (!result.success) {
    throw new ValidationFailedError([{ name: 'invalid', path: [...path], details: result.error.issues[0]?.message ?? 'is invalid' }]);
  }
  return result.data;
}

/** A description whose present parts are each checked; `paths` says where each came from in the request. */
export function checkedDescription(
  description: { fileName?: string | undefined; contentType?: string | undefined },
  paths: { fileName: Path; contentType: Path },
): UploadDescription {
  return {
    fileName: description.fileName === undefined ? undefined : checked(description.fileName, fileInput.shape.fileName, paths.fileName),
    contentType:
      description.contentType === undefined ? undefined : checked(description.contentType, fileInput.shape.contentType, paths.contentType),
  };
}
