/** Where an upload's bytes live in the bucket; the prefix lets tools list a space's uploads. */
export function uploadObjectKey(spaceId: string, environmentId: string, uploadId: string): string {
  return `${uploadObjectPrefix(spaceId, environmentId)}${uploadId}`;
}

export function uploadObjectPrefix(spaceId: string, environmentId?: string): string {
  return environmentId === undefined ? `uploads/${spaceId}/` : `uploads/${spaceId}/${environmentId}/`;
}
