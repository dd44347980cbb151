import type { IncomingBody } from '@hangar/ingest';

/**
 * The first `bytes` of a body (fewer if it is shorter), and the body again
 * whole: what was read to look is handed on first, so nothing is read twice
 * and nothing is held but those first chunks.
 */
export async function peekHead<T extends IncomingBody>(body: T, bytes: number): Promise<{ head: Buffer; body: T }> {
  const iterator = body.chunks[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done === true) {
      ended = true;
      break;
    }
    held.push(next.value);
    length += next.value.length;
  }
  async function* again(): AsyncGenerator<Buffer> {
    yield* held;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { head: Buffer.concat(held).subarray(0, bytes), body: { ...body, chunks: again() } };
}

/** A ZIP archive's first bytes: a local file header, or the end record of an empty archive, or a spanned one's marker. */
export function looksLikeZip(head: Buffer): boolean {
  const signature = head.subarray(0, 4).toString('latin1');
  return signature === 'PK\x03\x04' || signature === 'PK\x05\x06' || signature === 'PK\x07\x08';
}
