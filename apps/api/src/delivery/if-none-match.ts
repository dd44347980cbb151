/** One element of an entity-tag list: optional `W/`, the opaque tag with its quotes (RFC 9110 §8.8.3), then `,` or the end. */
const LIST_ELEMENT = /[ \t]*(?:(?:W\/)?("[\x21\x23-\x7e\x80-\xff]*"))?[ \t]*(?:,|$)/y;

/**
 * Whether an `If-None-Match` header fails for a response whose entity tag is
 * `etag`, so the answer is 304 (RFC 9110 §13.1.2): `*`, or a list naming the
 * tag under the weak comparison — `W/"x"` matches `"x"`, as a cache that only
 * kept a weak validator sends it. A header that is not such a list is ignored.
 */
export function ifNoneMatchFails(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  let found = false;
  for (let index = 0; index < header.length;) {
    LIST_ELEMENT.lastIndex = index;
    const element = LIST_ELEMENT.exec(header);
    if (!element || LIST_ELEMENT.lastIndex === index) return false;
    if (element[1] === opaque) found = true;
    index = LIST_ELEMENT.lastIndex;
  }
  return found;
}
