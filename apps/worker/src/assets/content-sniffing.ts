import { REFUSED_CONTENT_TYPES } from '@hangar/assets';

const REFUSED_EXTENSIONS = /\.(html?|xhtml|js|mjs|cjs)$/i;
/** Markup that a browser would run as a page, whatever the declared type. */
const ACTIVE_MARKUP = /^\s*(<!doctype\s+html|<html[\s>]|<script[\s>]|<head[\s>]|<body[\s>])/i;

/** Why a file must not be processed (HTML and JavaScript, like Contentful), or undefined. */
export function refusalReason(declaredType: string, fileName: string, detectedType: string | undefined, head: Buffer): string | undefined {
  const declared = declaredType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (REFUSED_CONTENT_TYPES.has(declared)) return `Files of type ${declared} are not processed.`;
  if (detectedType && REFUSED_CONTENT_TYPES.has(detectedType)) return `Files of type ${detectedType} are not processed.`;
  if (REFUSED_EXTENSIONS.test(fileName)) return 'HTML and JavaScript files are not processed.';
  if (!detectedType && ACTIVE_MARKUP.test(head.subarray(0, 512).toString('latin1')))
    return 'The file contains HTML, which is not processed.';
  return undefined;
}
