/**
 * Regroups a byte stream into parts of exactly `partSize` bytes (the last
 * one may be shorter). Only one part is assembled at a time, so memory stays
 * bounded however long the stream is; reading pauses while the consumer works.
 */
export async function* partChunks(source: AsyncIterable<Buffer | Uint8Array | string>, partSize: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let chunk = typeof piece === 'string' ? Buffer.from(piece) : Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    while (pendingBytes + chunk.length >= partSize) {
      const take = partSize - pendingBytes;
      pending.push(chunk.subarray(0, take));
      yield Buffer.concat(pending, partSize);
      chunk = chunk.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (chunk.length > 0) {
      pending.push(chunk);
      pendingBytes += chunk.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
