import type { FilePath } from './file-path';

/** Every file version's object lives under this prefix of the bucket. */
export const FILES_PREFIX = 'files/';

/**
 * Where a file write's bytes go: chosen when its upload session opens (named
 * by the session's id), so the version that takes the bytes over owns them
 * under the same key — no copy.
 */
export function fileObjectKey(spaceId: string, uploadId: string): string {
  return `${fileObjectPrefix(spaceId)}${uploadId}`;
}

/** The prefix of every object of a space's files (their versions, and archives waiting to be expanded). */
export function fileObjectPrefix(spaceId: string): string {
  return `${FILES_PREFIX}${spaceId}/`;
}

/** The path prefix under which the api delivers files without a token: public ones, and private ones through signed URLs. */
export const FILE_DELIVERY_PATH = '/file_delivery';

/** The stable delivery URL of a file (the newest version; `?version=N` for one version), under PUBLIC_BASE_URL. */
export function fileDeliveryUrl(publicBaseUrl: URL, spaceId: string, path: FilePath, query?: Record<string, string>): string {
  const base = publicBaseUrl.href.replace(/\/+$/, '');
  const search = query === undefined ? '' : `?${new URLSearchParams(query).toString()}`;
  return `${base}${FILE_DELIVERY_PATH}/${encodeURIComponent(spaceId)}/${path.toUrlPath()}${search}`;
}
