import { createHash } from 'node:crypto';
import type { ImageFormat } from './image-params';

/** Every rendition lives under this prefix (one owner in the ownership registry). */
export const RENDITIONS_PREFIX = 'renditions/';

/**
 * `renditions/{space}/{source sha256}/{digest of the normalised parameters}.{format}`:
 * the same bytes in one space (an asset file, its published snapshot, a file
 * version) share their renditions; another space never does, so nothing
 * about one space's files shows through another's.
 */
export function renditionKey(spaceId: string, sourceSha256: string, canonical: string, format: ImageFormat): string {
  return `${renditionSourcePrefix(spaceId, sourceSha256)}${renditionDigest(canonical)}.${format}`;
}

/** Where the renditions of one source's bytes are: removed when no file of the space has those bytes any more. */
export function renditionSourcePrefix(spaceId: string, sourceSha256: string): string {
  return `${renditionSpacePrefix(spaceId)}${sourceSha256}/`;
}

export function renditionSpacePrefix(spaceId: string): string {
  return `${RENDITIONS_PREFIX}${spaceId}/`;
}

/** 128 bits of the SHA-256 of the normalised parameters: names the rendition, and is half of its ETag. */
export function renditionDigest(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

/** The space and source hash a rendition key names, or undefined for a key that is not one. */
export function parseRenditionKey(key: string): { spaceId: string; sha256: string } | undefined {
  const match = /^renditions\/([^/]+)\/([0-9a-f]{64})\/[^/]+$/.exec(key);
  return match?.[1] && match[2] ? { spaceId: match[1], sha256: match[2] } : undefined;
}
