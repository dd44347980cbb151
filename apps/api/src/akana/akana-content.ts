import { HangarError } from '@hangar/domain';
import type { FilePath } from '@hangar/files';
import { essenceOf } from '@hangar/media';

/**
 * The table-of-contents file a new folder gets (`folder=true`), holding `{}`.
 * Akana names each folder's TOC `toc.{container}.{tenant}.json` (the seed's
 * `toc.apiversion20693.acmepaymentscorp.json`), ids Hangar has no equivalent
 * of; a client that posts its TOC by its own name (the seed's example #1)
 * gets exactly that file.
 */
export const AKANA_TOC_FILE = 'toc.json';

/** An empty table of contents. */
export const AKANA_EMPTY_TOC = Buffer.from('{}');

/** Akana's short `type` values (and file extensions) and the media types they stand for: a hint, the bytes decide. */
const SHORT_TYPES = new Map<string, string>([
  ['html', 'text/html'],
  ['htm', 'text/html'],
  ['json', 'application/json'],
  ['txt', 'text/plain'],
  ['text', 'text/plain'],
  ['md', 'text/markdown'],
  ['markdown', 'text/markdown'],
  ['css', 'text/css'],
  ['js', 'text/javascript'],
  ['xml', 'application/xml'],
  ['csv', 'text/csv'],
  ['yaml', 'application/yaml'],
  ['yml', 'application/yaml'],
  ['png', 'image/png'],
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['gif', 'image/gif'],
  ['svg', 'image/svg+xml'],
  ['pdf', 'application/pdf'],
  ['zip', 'application/zip'],
]);

/**
 * The declared type of Akana content: `type` as a media type (`text/plain`) or
 * a short one (`html`, `json`), else the one the file's extension suggests
 * ("if not specified, the operation uses the file extension"). An unknown
 * `type` is a 400 naming the field.
 */
export function akanaDeclaredType(type: string | undefined, path: FilePath): string | undefined {
  if (type !== undefined && type !== '') {
    const short = SHORT_TYPES.get(type.toLowerCase());
    if (short !== undefined) return short;
    if (type.length <= 255 && /^[\x20-\x7e]*$/.test(type) && essenceOf(type) !== undefined) return type;
    throw new HangarError('BadRequest', 'type must be a media type (text/plain) or a short one such as html or json.', { path: ['type'] });
  }
  const extension = /\.([A-Za-z0-9]+)$/.exec(path.name)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : SHORT_TYPES.get(extension);
}
