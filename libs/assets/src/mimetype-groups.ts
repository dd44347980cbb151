/** The group names of Contentful's `mimetype_group` filter, each as content-type prefixes (ending in `/` or `-`) or exact types. */
export const MIMETYPE_GROUPS: ReadonlyMap<string, readonly string[]> = new Map([
  ['attachment', ['application/octet-stream']],
  ['plaintext', ['text/plain']],
  ['image', ['image/']],
  ['audio', ['audio/']],
  ['video', ['video/']],
  [
    'richtext',
    ['application/rtf', 'text/rtf', 'application/msword', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ],
  [
    'presentation',
    [
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'application/vnd.oasis.opendocument.presentation',
    ],
  ],
  [
    'spreadsheet',
    [
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.oasis.opendocument.spreadsheet',
      'text/csv',
    ],
  ],
  ['pdfdocument', ['application/pdf']],
  [
    'archive',
    [
      'application/zip',
      'application/x-tar',
      'application/gzip',
      'application/x-7z-compressed',
      'application/x-rar-compressed',
      'application/x-bzip2',
    ],
  ],
  ['code', ['application/json', 'text/css', 'application/xml', 'text/x-', 'application/x-sh']],
  ['markup', ['text/markdown', 'text/xml', 'image/svg+xml']],
]);
