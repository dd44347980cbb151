/**
 * How a stored file goes back out: its Content-Type and Content-Disposition.
 *
 * Files are user content, so only types a browser merely *displays* are sent
 * as themselves (inline): raster images, audio, video, PDF, plain text, JSON
 * and WebVTT. Anything a browser would run or render as a document (HTML,
 * XHTML, JavaScript, SVG, XML, CSS…) and anything unknown goes out as
 * `application/octet-stream` with `Content-Disposition: attachment`, so it can
 * only be downloaded. The type is decided when the bytes are in hand
 * ({@link deliveredTypeOf}, at processing) and re-checked on every response
 * ({@link deliveryHeaders}), so a row stored under an older rule, or with a
 * value no header may carry, is still answered safely.
 */

/** The type of everything that is not known to be passive: browsers only offer to save it. */
export const DOWNLOAD_TYPE = 'application/octet-stream';
/**
 * Plain text, with its charset spelled out: a browser then has no encoding to
 * guess (encoding sniffing was the way into "text" that ran as script), and
 * UTF-8 is what text uploads are.
 */
export const PLAIN_TEXT_TYPE = 'text/plain; charset=utf-8';

/** Types outside the image/audio/video families that browsers only display (PDF in its own viewer, text as text). */
const PASSIVE_TYPES: ReadonlySet<string> = new Set(['application/pdf', 'text/plain', 'application/json', 'text/vtt']);
/** Images, sounds and videos are shown by media elements, which run no script; SVG and anything XML-based are documents. */
const MEDIA_FAMILY = /^(?:image|audio|video)\/(?!.*(?:svg|xml))/;
/** The essence (`type/subtype`) of an RFC 9110 media type, parameters ignored. */
const ESSENCE = /^[ \t]*([!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+)[ \t]*(?:;|$)/;
/** Text whose first character opens a tag: HTML, SVG, XML. Such bytes never go out as a type a browser displays. */
const MARKUP_START = /^\uFEFF?\s*</;

/** The lower-case essence of a media type, or undefined when `value` is not one (control characters, `html`, …). */
export function essenceOf(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  return ESSENCE.exec(value)?.[1]?.toLowerCase();
}

/** True for a media type (essence) that browsers display without running anything from it. */
export function isPassiveType(essence: string): boolean {
  return PASSIVE_TYPES.has(essence) || MEDIA_FAMILY.test(essence);
}

/**
 * The Content-Type a processed file is delivered with, decided from its bytes:
 * the type `file-type` detected, when that type is passive; for bytes it could
 * not identify (text, or a format it does not know), the declared type only if
 * it is plain text or JSON and the bytes are text that is not markup. Anything
 * else is {@link DOWNLOAD_TYPE}. The declared type never overrides the bytes.
 */
export function deliveredTypeOf(detectedType: string | undefined, declaredType: string, head: Buffer): string {
  if (detectedType !== undefined) {
    const detected = essenceOf(detectedType);
    return detected !== undefined && isPassiveType(detected) ? detected : DOWNLOAD_TYPE;
  }
  if (head.includes(0) || MARKUP_START.test(head.toString('utf8'))) return DOWNLOAD_TYPE;
  const declared = essenceOf(declaredType);
  if (declared === 'text/plain') return PLAIN_TEXT_TYPE;
  if (declared === 'application/json') return declared;
  return DOWNLOAD_TYPE;
}

export interface DeliveryHeaders {
  readonly contentType: string;
  readonly contentDisposition: string;
}

/**
 * The Content-Type and Content-Disposition of a delivered file, from the type
 * stored at processing and the file's name. Never throws, and only ever
 * answers printable ASCII: a stored type that is not a passive media type —
 * a row from before today's rules, `text/html`, `text/plain\u0007`, a header
 * with a line break in it — is delivered as a download.
 */
export function deliveryHeaders(storedType: string | null, fileName: string): DeliveryHeaders {
  const essence = essenceOf(storedType);
  if (essence === undefined || !isPassiveType(essence)) {
    return { contentType: DOWNLOAD_TYPE, contentDisposition: contentDisposition('attachment', fileName) };
  }
  return {
    contentType: essence === 'text/plain' ? PLAIN_TEXT_TYPE : essence,
    contentDisposition: contentDisposition('inline', fileName),
  };
}

/**
 * Bidirectional embeddings, overrides and isolates (which reorder what follows
 * them: `invoice\u202Efdp.exe` shows as `invoiceexe.pdf`) and the marks
 * LRM/RLM/ALM. Names that carry them are refused at create; this strips them
 * from names stored before that, and the marks, which names may carry.
 */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** A UTF-16 surrogate without its pair: not a character, and encodeURIComponent throws on it. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * RFC 6266 `inline`/`attachment` with the name twice: an ASCII `filename`
 * (anything else, and quotes and backslashes, as `_`) and the exact UTF-8
 * `filename*` (RFC 8187), both free of anything that could end the header.
 */
function contentDisposition(kind: 'inline' | 'attachment', fileName: string): string {
  const name = fileName.replace(BIDI_CONTROLS, '').replace(LONE_SURROGATE, '\ufffd');
  if (name === '') return kind;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  // encodeURIComponent leaves ' ( ) * as they are; RFC 8187's attr-char does not allow them.
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
