import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Answers `Expect: 100-continue` with `100 Continue` only once a route starts
 * reading the body, instead of as soon as the headers arrive (Node's default).
 * A request refused before its body is read — a bad token, a space the caller
 * may not see, an unknown route, a declared size over the limit, a wrong media
 * type — gets its final answer with no `100 Continue` before it, so the client
 * does not send a body that would only be drained and thrown away.
 *
 * How: with a 'checkContinue' listener, Node hands such a request to it
 * instead of emitting 'request'; the listener emits 'request' itself (Express
 * runs as usual) after wrapping the request's `_read`, which every way of
 * consuming a stream ends in (a 'data' listener, `resume()`, `read()`, an async
 * iterator). The first call sends `100 Continue` unless:
 * - the response has started: the read is Node dumping an unread body after
 *   the answer, or the exception filter draining a refused one (its
 *   `resume()` takes effect on the next tick, after the answer was written);
 * - body bytes have already arrived: the client did not wait for the 100
 *   (RFC 9110 lets a server omit it then), so it would only come late.
 * Without a 100, Node closes the connection after the final answer (the
 * client may still send the body), which is right for a refusal.
 */
export function continueWhenBodyIsRead(server: Server): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    deferContinueUntilRead(request, response);
    server.emit('request', request, response);
  });
}

function deferContinueUntilRead(request: IncomingMessage, response: ServerResponse): void {
  request._read = (size: number): void => {
    // Once is enough: from now on the prototype's `_read` serves every read, this one included.
    Reflect.deleteProperty(request, '_read');
    if (!response.headersSent && request.readableLength === 0) response.writeContinue();
    request._read(size);
  };
}
