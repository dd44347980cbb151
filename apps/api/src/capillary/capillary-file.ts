import type { FileWithVersion } from '@hangar/files';

/** `2024-05-08 09:10:59`: Capillary's `last_modified`, in UTC. */
export function capillaryTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The answer to an upload, field for field as Capillary's file service
 * documents it: `status` is the string "true", `fileSize` a string of digits,
 * `version` and `latest_version` numbers, `acl` upper case. `s3_token` and
 * `s3_url` name the version's object in our bucket, `file_handle` the file.
 */
export function capillaryUploadResponse({ file, version }: FileWithVersion, bucket: string, secureFilePath: string) {
  return {
    code: 200,
    status: 'true',
    message: 'Successfully uploaded file',
    file: {
      name: file.name,
      namespace: file.folder,
      version: version.number,
      acl: file.acl.toUpperCase(),
      fileSize: String(version.size),
      file_handle: file.id,
      content_type: version.contentType,
      s3_token: version.objectKey,
      latest_version: file.currentVersion,
      last_modified: capillaryTimestamp(version.createdAt),
      s3_url: `s3://${bucket}/${version.objectKey}`,
    },
    secureFilePath,
  };
}
