/** Where an upload's bytes live in the bucket; the prefix lets tools list a space's uploads. */
export function uploadObjectKey(spaceId: string, environmentId: string, uploadId: string): string {
  return `${uploadObjectPrefix(spaceId, environmentId)}${uploadId}`;
}

/** Every upload object lives under this prefix of the bucket. */
export const UPLOADS_PREFIX = 'uploads/';

export function uploadObjectPrefix(spaceId: string, environmentId?: string): string {
  return environmentId === undefined ? `${UPLOADS_PREFIX}${spaceId}/` : `${UPLOADS_PREFIX}${spaceId}/${environmentId}/`;
}

const TAIL_MARKER = '.tail-';

/**
 * Where a session keeps the bytes after its last full part until the next
 * append completes one. Named by the session's offset, so a crash between
 * writing a new tail and recording it leaves the recorded one intact (the
 * stale one is an orphan the sweeper removes).
 */
export function uploadTailKey(objectKey: string, receivedBytes: number): string {
  return `${objectKey}${TAIL_MARKER}${receivedBytes}`;
}

/** The upload object key a tail key belongs to, or undefined for other keys. */
export function objectKeyOfTail(key: string): string | undefined {
  const at = key.lastIndexOf(TAIL_MARKER);
  return at > 0 && /^\d+$/.test(key.slice(at + TAIL_MARKER.length)) ? key.slice(0, at) : undefined;
}
