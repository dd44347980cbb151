import type { FileWithVersion } from '@hangar/files';

/** Where Comapi content goes when the request names no folder: the seed's answers show `"folder": "content"`. */
export const COMAPI_DEFAULT_FOLDER = 'content';

/** The token-less URL of a content asset: `{PUBLIC_BASE_URL}/apispaces/{apiSpaceId}/content/{id}`, as Comapi's. */
export function comapiContentUrl(publicBaseUrl: URL, spaceId: string, fileId: string): string {
  return `${publicBaseUrl.href.replace(/\/+$/, '')}/apispaces/${encodeURIComponent(spaceId)}/content/${encodeURIComponent(fileId)}`;
}

/**
 * A content asset as Comapi's content service answers an upload, in the
 * seed's field order: `id` is the file's (the same name uploaded again is
 * the same asset, updated: `_updatedOn` moves, `url` serves the newest
 * bytes), `size` a number, `type` the type the bytes were found to be,
 * `_createdBy`/`_updatedBy` the Hangar user ids.
 */
export function comapiContent({ file, version }: FileWithVersion, publicBaseUrl: URL) {
  return {
    id: file.id,
    _createdOn: file.createdAt.toISOString(),
    _updatedOn: file.updatedAt.toISOString(),
    _createdBy: file.createdById,
    _updatedBy: file.updatedById,
    name: file.name,
    size: Number(version.size),
    type: version.contentType,
    folder: file.folder,
    url: comapiContentUrl(publicBaseUrl, file.spaceId, file.id),
  };
}
