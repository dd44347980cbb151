/** Every processed asset file lives under this prefix of the bucket. */
export const ASSETS_PREFIX = 'assets/';

/** The prefix of every processed file of a space, or of one of its environments. */
export function assetObjectPrefix(spaceId: string, environmentId?: string): string {
  return environmentId === undefined ? `${ASSETS_PREFIX}${spaceId}/` : `${ASSETS_PREFIX}${spaceId}/${environmentId}/`;
}

/** Where the processed file of one asset locale lives in the bucket. */
export function assetObjectKey(spaceId: string, environmentId: string, assetId: string, locale: string, token: string): string {
  return `${assetObjectPrefix(spaceId, environmentId)}${assetId}/${locale}/${token}`;
}

/** The path prefix under which the api delivers processed files. */
export const FILES_PATH = '/files';

/**
 * The public, protocol-relative URL of a processed file, as Contentful shapes
 * it (`//host/{space}/{asset}/{token}/{fileName}`), under PUBLIC_BASE_URL and
 * our `/files` prefix. The token is random, so URLs cannot be guessed.
 */
export function assetFileUrl(publicBaseUrl: URL, spaceId: string, assetId: string, token: string, fileName: string): string {
  const basePath = publicBaseUrl.pathname.replace(/\/+$/, '');
  return `//${publicBaseUrl.host}${basePath}${FILES_PATH}/${spaceId}/${assetId}/${token}/${encodeURIComponent(fileName)}`;
}
