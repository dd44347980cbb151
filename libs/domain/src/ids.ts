import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A random 22-character base62 id, like Contentful's (~131 bits). */
export function newId(length = 22): string {
  // 62 * 4 = 248: bytes at or above it are dropped so every character is equally likely.
  let id = '';
  while (id.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && id.length < length) id += ALPHABET[byte % 62];
    }
  }
  return id;
}

/**
 * Ids a client may choose (Contentful's rule), except ids of dots only: `.` and `..`
 * are path segments every URL parser resolves, so such a resource could never be addressed.
 */
export const RESOURCE_ID_PATTERN = /^(?!\.+$)[a-zA-Z0-9\-_.]{1,64}$/;
