/** Content types never processed, as in Contentful: they would run script wherever they are opened. */
export const REFUSED_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'text/html',
  'application/xhtml+xml',
  'text/javascript',
  'application/javascript',
  'application/ecmascript',
  'text/ecmascript',
]);

const REFUSED_EXTENSIONS = /\.(html?|xhtml|js|mjs|cjs)$/i;
/** Markup that a browser would run as a page, whatever the declared type. */
const ACTIVE_MARKUP = /^\s*(<!doctype\s+html|<html[\s>]|<script[\s>]|<head[\s>]|<body[\s>])/i;

/** Which rule refused a file: what the client declared, what the bytes are, the name, or markup found in untyped bytes. */
export type RefusalRule = 'declared-type' | 'detected-type' | 'file-name' | 'active-markup';

export interface Refusal {
  readonly rule: RefusalRule;
  readonly reason: string;
}

/** Why a file must not be processed (HTML and JavaScript, like Contentful), or undefined. */
export function refusalOf(declaredType: string, fileName: string, detectedType: string | undefined, head: Buffer): Refusal | undefined {
  const declared = declaredType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (REFUSED_CONTENT_TYPES.has(declared)) return { rule: 'declared-type', reason: `Files of type ${declared} are not processed.` };
  if (detectedType && REFUSED_CONTENT_TYPES.has(detectedType)) {
    return { rule: 'detected-type', reason: `Files of type ${detectedType} are not processed.` };
  }
  if (REFUSED_EXTENSIONS.test(fileName)) return { rule: 'file-name', reason: 'HTML and JavaScript files are not processed.' };
  if (!detectedType && ACTIVE_MARKUP.test(head.subarray(0, 512).toString('latin1'))) {
    return { rule: 'active-markup', reason: 'The file contains HTML, which is not processed.' };
  }
  return undefined;
}
