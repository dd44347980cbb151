import type { IncomingMessage, ServerResponse } from 'node:http';
import { lingeringClose } from '../common/lingering-close';

/** Methods whose tus requests carry a body (creation-with-upload, PATCH). */
const WITH_BODY = new Set(['POST', 'PATCH']);

/**
 * The web `Request` @tus/server 2 takes, made from Node's request. Its body
 * is read only when tus reads it — so `Expect: 100-continue` is answered only
 * then (see continueWhenBodyIsRead), and a request tus refuses before its
 * body (409, 413…) never asks for it — and a client that goes away, or
 * sends nothing for `idleMs`, ends the body where it stopped instead of
 * failing it: tus keeps what arrived. (Only here, at the source, can a body
 * end early: @tus/server answers once its whole pipeline has finished.)
 */
export function webRequestOf(request: IncomingMessage, path: string, idleMs: number): Request {
  const headers = new Headers();
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    for (const value of values ?? []) headers.append(name, value);
  }
  const method = request.method ?? 'GET';
  return new Request(new URL(path, 'http://tus.invalid'), {
    method,
    headers,
    ...(WITH_BODY.has(method) && { body: lazyBodyOf(request, idleMs), duplex: 'half' }),
  });
}

function lazyBodyOf(request: IncomingMessage, idleMs: number): ReadableStream<Uint8Array> {
  let chunks: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Not the default iterator: it would destroy the socket when tus stops early, and its answer could not be sent.
        chunks ??= request.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<'idle'>((resolve) => {
          timer = setTimeout(() => resolve('idle'), idleMs);
        });
        try {
          const next = await Promise.race([chunks.next(), idle]);
          // A stalled client: the read still waits, and settles when the connection goes (the answer closes it).
          if (next === 'idle' || next.done === true) controller.close();
          else controller.enqueue(next.value);
        } catch {
          controller.close();
        } finally {
          clearTimeout(timer);
        }
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Writes @tus/server's answer. Its CORS headers are left out: the app's CORS
 * middleware already set the one policy (CORS_ORIGINS) on this response. A
 * body tus did not read (a refusal) is drained within limits before the
 * connection closes, as the exception filter does.
 */
export async function sendWebResponse(request: IncomingMessage, response: ServerResponse, answer: Response): Promise<void> {
  const body = Buffer.from(await answer.arrayBuffer());
  response.statusCode = answer.status;
  // The type every route starts with (Contentful's JSON) is not this answer's: tus's carries its own, or none.
  response.removeHeader('Content-Type');
  for (const [name, value] of answer.headers) {
    if (!name.startsWith('access-control-')) response.setHeader(name, value);
  }
  if (!request.complete) lingeringClose(request, response);
  response.end(request.method === 'HEAD' ? undefined : body);
}
