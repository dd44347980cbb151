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
 * The public URL of a processed file, under PUBLIC_BASE_URL and our `/files`
 * prefix (`…/files/{space}/{asset}/{token}/{fileName}`; the token is random,
 * so URLs cannot be guessed). Contentful's are protocol-relative
 * (`//host/…`) and always served over HTTPS, so clients that need a scheme
 * prepend `https:` (contentful-export does); so are ours when PUBLIC_BASE_URL
 * is `https:`. A deployment served over plain HTTP gets absolute `http://`
 * URLs instead: `https:` prepended to those would reach nothing.
 */
export function assetFileUrl(publicBaseUrl: URL, spaceId: string, assetId: string, token: string, fileName: string): string {
  const basePath = publicBaseUrl.pathname.replace(/\/+$/, '');
  const origin = publicBaseUrl.protocol === 'https:' ? `//${publicBaseUrl.host}` : `${publicBaseUrl.protocol}//${publicBaseUrl.host}`;
  return `${origin}${basePath}${FILES_PATH}/${spaceId}/${assetId}/${token}/${encodeURIComponent(fileName)}`;
}
