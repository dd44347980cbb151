import type { IncomingMessage, ServerResponse } from 'node:http';

/** How much of a refused body is read, and for how long, before the connection is closed anyway. */
export interface LingerLimits {
  readonly maxBytes: number;
  readonly maxMs: number;
}

/**
 * 8 MiB: a client learns of the refusal only when the answer reaches it, and by then it may have several MiB on
 * the way (its send buffer plus ours: Linux autotunes each to 4–6 MiB by default). Reading those lets the close be
 * clean; a client that sends much more than that after being refused is not listening, and is cut off.
 */
export const LINGER_MAX_BYTES = 8 * 1024 * 1024;

/**
 * 2 s: reading the answer takes the client one round trip, so 2 s is many round trips even across continents
 * (nginx's `lingering_timeout` is 5 s between reads). The cap also bounds how long a slow or stalled client
 * can keep a refused connection open: a client that trickles its body forever is cut off after it.
 */
export const LINGER_MAX_MS = 2_000;

export const LINGER_LIMITS: LingerLimits = { maxBytes: LINGER_MAX_BYTES, maxMs: LINGER_MAX_MS };

/**
 * Closes the connection of a request whose body was not (fully) read, after its response, the way nginx's
 * lingering close does. Call it before the response is sent.
 *
 * Why: closing a socket that still has unread incoming data makes the kernel send a TCP reset instead of a FIN,
 * and drop whatever of our answer it had not sent yet; a client (or proxy) still writing its body then gets
 * ECONNRESET or EPIPE and often never reads the answer it was sent. So the answer goes out with
 * `Connection: close`, our side is half-closed after it (the FIN tells the client nothing more is coming), and
 * the rest of the body is read and thrown away until it ends, the client goes away, or a limit is reached;
 * only then is the socket closed — cleanly when nothing was left unread.
 *
 * How, within Node's http server:
 * - With `Connection: close`, the server closes the connection by calling `socket.destroySoon()` once the
 *   response is flushed (end, then destroy on 'finish', whatever is unread). That call is replaced, for this
 *   socket only, by: end (the FIN), and destroy once the body is drained.
 * - The body is drained through the request stream, so Node's parser still frames it (chunked or
 *   Content-Length) and says where it ends; the request being consumed, Node does not dump it on its own.
 *   A reader still attached (a route's iterator) keeps the stream from flowing; it starts when that reader goes.
 * - The connection's request is not complete, so Node counts it as active: `server.close()` and
 *   `closeIdleConnections()` leave it alone, and `maxMs` is what bounds a graceful shutdown too.
 * - Our sockets allow half-open connections (Node's http server does), so the client's FIN after its body
 *   ends the request ('end') instead of closing the socket under us; a FIN in mid-body is a parse error
 *   that Node answers by destroying the socket, which stops the drain at once, as a client's reset does.
 */
export function lingeringClose(request: IncomingMessage, response: ServerResponse, limits: LingerLimits = LINGER_LIMITS): void {
  response.setHeader('Connection', 'close');
  const socket = request.socket;
  if (socket.destroyed || request.readableEnded) return;

  let drainedBytes = 0;
  let draining = true;
  let responseFlushed = false;
  const destroy = () => socket.destroy();
  // The hard bound, whatever is still pending: a slow or stalled client cannot hold the socket longer.
  const deadline = setTimeout(destroy, limits.maxMs);

  const closeWhenDone = () => {
    if (draining || !responseFlushed || socket.destroyed) return;
    if (socket.writableFinished) destroy();
    else socket.once('finish', destroy);
  };
  const stopDraining = () => {
    if (!draining) return;
    draining = false;
    request.off('data', discard);
    request.off('end', stopDraining);
    closeWhenDone();
  };
  const discard = (chunk: Buffer) => {
    drainedBytes += chunk.length;
    if (drainedBytes >= limits.maxBytes) {
      request.pause();
      stopDraining();
    }
  };

  socket.destroySoon = () => {
    responseFlushed = true;
    socket.end();
    closeWhenDone();
  };
  socket.once('close', () => {
    clearTimeout(deadline);
    stopDraining();
  });
  request.on('data', discard);
  request.once('end', stopDraining);
  request.resume();
}
