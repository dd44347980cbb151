import { Upload, type UploadOptions } from 'tus-js-client';

export const MiB = 1024 * 1024;

/** What tus-js-client ended with: the upload's URL and the Upload id the last response named. */
export interface TusResult {
  readonly url: string;
  readonly uploadId: string;
}

/**
 * Uploads `body` with the real tus-js-client (Node), resolving when it
 * succeeds and rejecting with its error. `onStart` gets the client, to abort
 * or inspect it mid-way.
 */
export function tusUpload(
  endpoint: string,
  auth: { Authorization: string },
  body: Buffer,
  options: UploadOptions = {},
  onStart?: (upload: Upload) => void,
): Promise<TusResult> {
  return new Promise((resolve, reject) => {
    const upload = new Upload(body, {
      endpoint,
      headers: { ...auth },
      chunkSize: 5 * MiB,
      retryDelays: [],
      metadata: { filename: 'body.bin', filetype: 'application/octet-stream' },
      ...options,
      onSuccess: ({ lastResponse }) => {
        const url = upload.url ?? '';
        resolve({ url, uploadId: lastResponse.getHeader('X-Hangar-Upload-Id') ?? url.slice(url.lastIndexOf('/') + 1) });
      },
      onError: reject,
    });
    onStart?.(upload);
    upload.start();
  });
}

/** The upload id at the end of a tus upload URL. */
export function idOf(url: string): string {
  return url.slice(url.lastIndexOf('/') + 1);
}
