import { createHash, type Hash } from 'node:crypto';
import { HangarError } from '@hangar/domain';

export class UploadTooLargeError extends HangarError {
  constructor(maxBytes: number) {
    super('RequestEntityTooLarge', `Uploads are limited to ${maxBytes} bytes.`, { maxBytes });
  }
}

/** Size and SHA-256 of the bytes that went through {@link meteredBody}. */
export class BodyMeter {
  size = 0;
  private readonly hash: Hash = createHash('sha256');

  update(chunk: Buffer): void {
    this.size += chunk.length;
    this.hash.update(chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Passes the body through, counting and hashing it, and fails as soon as it
 * passes `maxBytes` — before the excess reaches storage.
 */
export async function* meteredBody(source: AsyncIterable<Buffer>, maxBytes: number, meter: BodyMeter): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    if (meter.size + chunk.length > maxBytes) throw new UploadTooLargeError(maxBytes);
    meter.update(chunk);
    yield chunk;
  }
}
