import { createHash, type Hash } from 'node:crypto';
import { UploadTooLargeError } from './ingest-errors';

/** Size and SHA-256 of the bytes that went through {@link meteredStream}, measured as they pass. */
export class ByteMeter {
  private hash: Hash = createHash('sha256');

  /** `size` starts where a session stands (a body sent in several requests). */
  constructor(public size = 0) {}

  update(chunk: Buffer): void {
    this.size += chunk.length;
    this.hash.update(chunk);
  }

  /** A copy of the state, to go back to if what follows fails. */
  checkpoint(): { size: number; hash: Hash } {
    return { size: this.size, hash: this.hash.copy() };
  }

  restore(checkpoint: { size: number; hash: Hash }): void {
    this.size = checkpoint.size;
    this.hash = checkpoint.hash;
  }

  /** The hex digest of everything measured (a copy: the meter can go on). */
  digest(): string {
    return this.hash.copy().digest('hex');
  }
}

/**
 * Passes the body through, counting and hashing it, and fails as soon as it
 * passes `maxBytes` — before the excess reaches storage.
 */
export async function* meteredStream(source: AsyncIterable<Buffer>, maxBytes: number, meter: ByteMeter): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    if (meter.size + chunk.length > maxBytes) throw new UploadTooLargeError(maxBytes);
    meter.update(chunk);
    yield chunk;
  }
}
