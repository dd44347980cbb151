import { createReadStream } from 'node:fs';
import * as tus from 'tus-js-client';
import { ApiError } from '../api-client';

type UrlStorage = NonNullable<tus.UploadOptions['urlStorage']>;

/**
 * tus-js-client's own URL storage for Node: a JSON file of upload URLs by file fingerprint (path, size, mtime,
 * endpoint), locked with proper-lockfile so that processes can share it. Its Node entry exports it, its type
 * declarations do not. Calls are queued one at a time within this process, so that parallel uploads do not
 * contend for the lock file, and a lock another process holds is waited for past proper-lockfile's own few
 * retries: long enough for the lock of a killed process to go stale (10 s) rather than fail the upload.
 */
export function fileUrlStorage(path: string): UrlStorage {
  const { FileUrlStorage } = tus as unknown as { FileUrlStorage?: new (path: string) => UrlStorage };
  if (typeof FileUrlStorage !== 'function') throw new Error('tus-js-client has no FileUrlStorage: resumable uploads need its Node build');
  const storage = new FileUrlStorage(path);
  let queue: Promise<unknown> = Promise.resolve();
  const queued = <T>(operation: () => Promise<T>): Promise<T> => {
    const result = queue.then(() => waitingForLock(operation));
    queue = result.catch(() => undefined);
    return result;
  };
  return {
    findAllUploads: () => queued(() => storage.findAllUploads()),
    findUploadsByFingerprint: (fingerprint) => queued(() => storage.findUploadsByFingerprint(fingerprint)),
    removeUpload: (key) => queued(() => storage.removeUpload(key)),
    addUpload: (fingerprint, upload) => queued(() => storage.addUpload(fingerprint, upload)),
  };
}

const LOCK_WAIT_MS = 15_000;

async function waitingForLock<T>(operation: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await operation();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED' || Date.now() + wait > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** Waits before tus-js-client's retries of a request that failed for a reason that may pass (ms). */
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000];

export interface TusTransferOptions {
  /** `…/spaces/{s}/environments/{e}/tus` */
  readonly endpoint: string;
  readonly token: string;
  readonly chunkSize: number;
  readonly urlStorage: UrlStorage;
  readonly fileName: string;
  readonly contentType: string;
  readonly onProgress: (bytesSent: number, bytesTotal: number) => void;
  /** Aborting stops the transfer and keeps its stored URL, so the next run resumes it. */
  readonly signal: AbortSignal;
}

export interface TusTransferResult {
  /** The Upload's id: the last segment of the tus upload URL. */
  readonly uploadId: string;
  /** Bytes the api already held when this run resumed an upload an earlier run started; null for a new upload. */
  readonly resumedFrom: number | null;
}

export class TransferInterrupted extends Error {
  constructor() {
    super('interrupted (run the same command again to resume)');
  }
}

/** Retries what tus-js-client retries (no answer, 5xx, 409, 423) and also 429: the api's upload slots are per user. */
function shouldRetry(error: tus.DetailedError): boolean {
  const status = error.originalResponse?.getStatus() ?? 0;
  return status === 0 || status >= 500 || status === 409 || status === 423 || status === 429;
}

/** What the api answered, as the api described it; else tus-js-client's own message. */
function describe(error: Error): Error {
  const response = (error as Partial<tus.DetailedError>).originalResponse;
  if (response) return ApiError.fromBody(response.getStatus(), response.getBody() ?? '', response.getHeader('X-Contentful-Request-Id'));
  const cause = (error as Partial<tus.DetailedError>).causingError;
  return new Error(cause ? `${error.message.split(',')[0]}: ${cause.message}` : error.message);
}

/**
 * Sends one file through tus, resuming the upload an earlier run left unfinished for the same file (same path,
 * size and modification time) from the offset the api holds. The stored URL is removed once the upload is done.
 */
export async function tusTransfer(absolutePath: string, options: TusTransferOptions): Promise<TusTransferResult> {
  if (options.signal.aborted) throw new TransferInterrupted();
  let resumedFrom: number | null = null;
  const source = createReadStream(absolutePath);
  // tus-js-client reads the file by its path (a stream per chunk) and reports its errors itself; this stream only
  // names the file, and an error opening it (the file went since it was listed) must not end the process.
  source.on('error', () => undefined);
  const upload = new tus.Upload(source, {
    endpoint: options.endpoint,
    headers: { Authorization: `Bearer ${options.token}` },
    chunkSize: options.chunkSize,
    metadata: { filename: options.fileName, filetype: options.contentType },
    uploadDataDuringCreation: true,
    retryDelays: RETRY_DELAYS_MS,
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    urlStorage: options.urlStorage,
    onShouldRetry: (error) => shouldRetry(error),
    onProgress: options.onProgress,
    onAfterResponse: (request, response) => {
      // A resumed upload starts with HEAD: its Upload-Offset is where this run goes on from.
      if (request.getMethod() === 'HEAD' && response.getStatus() === 200 && resumedFrom === null) {
        resumedFrom = Number(response.getHeader('Upload-Offset'));
      }
    },
  });

  let previous: Awaited<ReturnType<typeof upload.findPreviousUploads>>;
  try {
    previous = await upload.findPreviousUploads();
  } catch (error) {
    source.destroy(); // tus-js-client closes the file only once the upload has started
    throw error;
  }
  // creationTime is a Date's toString(): compared as dates, the newest first.
  const newest = previous.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
  if (newest) upload.resumeFromPreviousUpload(newest);

  return new Promise<TusTransferResult>((resolve, reject) => {
    const onAbort = () => {
      // abort(false): the upload is not terminated on the api, and its URL stays stored for the next run.
      upload.abort(false).then(
        () => reject(new TransferInterrupted()),
        () => reject(new TransferInterrupted()),
      );
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    upload.options.onSuccess = () => {
      options.signal.removeEventListener('abort', onAbort);
      const url = upload.url ?? '';
      resolve({ uploadId: decodeURIComponent(url.slice(url.lastIndexOf('/') + 1)), resumedFrom });
    };
    upload.options.onError = (error) => {
      options.signal.removeEventListener('abort', onAbort);
      reject(describe(error));
    };
    upload.start();
  });
}
