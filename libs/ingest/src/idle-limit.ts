import { UploadIdleTimeoutError } from './ingest-errors';

/**
 * Passes a body through, and fails with a 408 when its next chunk takes more
 * than `idleMs` to arrive: a client that stalls cannot hold a session (a
 * slot, a spooled part, a socket) for long. Only the wait for the client
 * counts, not the time the consumer spends (storage); a slow but moving body
 * is never cut, however long it takes in all. With `onIdle: 'end'` the body
 * ends there instead, as if the client had stopped sending: a resumable door
 * keeps what arrived, and its client continues from that offset.
 */
export async function* idleLimited(
  source: AsyncIterable<Buffer>,
  idleMs: number,
  { onIdle = 'fail' }: { onIdle?: 'fail' | 'end' } = {},
): AsyncGenerator<Buffer> {
  const chunks = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = chunks.next();
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<'idle'>((resolve) => {
        timer = setTimeout(() => resolve('idle'), idleMs);
      });
      const result = await Promise.race([next, idle]).finally(() => clearTimeout(timer));
      if (result === 'idle') {
        // The read still waits; it settles when the connection goes (the error answer closes it).
        next.catch(() => undefined);
        finished = true;
        if (onIdle === 'end') return;
        throw new UploadIdleTimeoutError(idleMs);
      }
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } finally {
    // Stopped early by the consumer (a cap, a failure): let the source go. Not while a read is pending — it would wait for it.
    if (!finished) await chunks.return?.();
  }
}
