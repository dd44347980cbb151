import { HangarError } from '@hangar/domain';

export class UploadTooLargeError extends HangarError {
  constructor(maxBytes: number) {
    super('RequestEntityTooLarge', `Uploads are limited to ${maxBytes} bytes.`, { maxBytes });
  }
}

export class EmptyUploadError extends HangarError {
  constructor() {
    super('BadRequest', 'The upload body is empty.');
  }
}

export class ClientAbortedError extends HangarError {
  constructor() {
    super('BadRequest', 'The client closed the connection before the body was complete.');
  }
}

/** The client sent nothing for UPLOAD_IDLE_TIMEOUT_SECONDS in the middle of a body. */
export class UploadIdleTimeoutError extends HangarError {
  constructor(idleMs: number) {
    super('RequestTimeout', `The upload body sent nothing for ${idleMs / 1000} s and was ended; send it again.`, {
      idleTimeoutSeconds: idleMs / 1000,
    });
  }
}

/** The user already sends UPLOAD_CONCURRENCY_PER_USER bodies (from any token, to any replica). */
export class ConcurrentUploadsExceededError extends HangarError {
  constructor(limit: number) {
    super(
      'RateLimitExceeded',
      `You are already sending ${limit} uploads, the most one user may send at once; send this one when one of them has finished.`,
      // No window to wait out: a slot frees when one of the user's uploads ends, so a client may try again soon.
      { limit, scope: 'concurrentUploadsPerUser', reset: 1 },
    );
  }
}

/** The purge gave the session up (UPLOAD_ABANDON_SECONDS) while its body was still arriving. */
export class UploadAbandonedError extends HangarError {
  constructor() {
    super('Conflict', 'The upload took longer than allowed and was abandoned; send it again.');
  }
}

/** An append that does not continue where the session stands (a concurrent or repeated one). */
export class UploadOffsetMismatchError extends HangarError {
  constructor(expected: number, actual: number) {
    super('Conflict', `The upload continues at byte ${actual}, not ${expected}.`, { offset: actual });
  }
}

export function uploadNotFound(uploadId: string): HangarError {
  return new HangarError('NotFound', 'The resource could not be found.', { type: 'Upload', id: uploadId });
}
