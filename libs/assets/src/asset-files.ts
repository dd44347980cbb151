/** Where the processed file of one asset locale lives in the bucket. */
export function assetObjectKey(spaceId: string, environmentId: string, assetId: string, locale: string, token: string): string {
  return `assets/${spaceId}/${environmentId}/${assetId}/${locale}/${token}`;
}

/**
 * The public, protocol-relative URL of a processed file, as Contentful shapes
 * it (`//host/{space}/{asset}/{token}/{fileName}`), under PUBLIC_BASE_URL and
 * our `/files` prefix. The token is random, so URLs cannot be guessed.
 */
export function assetFileUrl(publicBaseUrl: URL, spaceId: string, assetId: string, token: string, fileName: string): string {
  const basePath = publicBaseUrl.pathname.replace(/\/+$/, '');
  return `//${publicBaseUrl.host}${basePath}${FILES_PATH}/${spaceId}/${assetId}/${token}/${encodeURIComponent(fileName)}`;
}

export const FILES_PATH = '/files';

/** Content types we refuse to process, as Contentful does: they would run script wherever they are opened. */
export const REFUSED_CONTENT_TYPES = new Set([
  'text/html',
  'application/xhtml+xml',
  'text/javascript',
  'application/javascript',
  'application/ecmascript',
  'text/ecmascript',
]);

/** The group names of Contentful's `mimetype_group` filter, each as content-type prefixes or exact types. */
export const MIMETYPE_GROUPS: Record<string, readonly string[]> = {
  attachment: ['application/octet-stream'],
  plaintext: ['text/plain'],
  image: ['image/'],
  audio: ['audio/'],
  video: ['video/'],
  richtext: [
    'application/rtf',
    'text/rtf',
    'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ],
  presentation: [
    'application/vnd.ms-powerpoint',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'application/vnd.oasis.opendocument.presentation',
  ],
  spreadsheet: [
    'application/vnd.ms-excel',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'application/vnd.oasis.opendocument.spreadsheet',
    'text/csv',
  ],
  pdfdocument: ['application/pdf'],
  archive: [
    'application/zip',
    'application/x-tar',
    'application/gzip',
    'application/x-7z-compressed',
    'application/x-rar-compressed',
    'application/x-bzip2',
  ],
  code: ['application/json', 'text/css', 'application/xml', 'text/x-', 'application/x-sh'],
  markup: ['text/markdown', 'text/xml', 'image/svg+xml'],
};
