import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { NextFunction, Response } from 'express';
import type { ErrorId } from '@hangar/domain';
import { contentfulError } from './contentful-error';
import type { HangarRequest } from './http-request';
import { lingeringClose } from './lingering-close';
import { MANAGEMENT_CONTENT_TYPE } from './request-id.middleware';

/** Node keeps the response being written on a connection here (null between responses). */
type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

/**
 * Requests Node would answer itself, with its bare text, get a
 * Contentful-shaped answer instead: broken HTTP and oversized headers here;
 * a missing `Host` and an `Expect` other than `100-continue` are handed on to
 * the app, where {@link refuseUnmetHttpRequirements} answers them.
 */
export function answerClientErrorsAsContentful(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: HttpSocket) => {
    // A response is already going out on this connection (say, a download, while the client sent garbage behind its
    // request): anything written now would land inside that body. A cut connection is the only honest signal left.
    if (!socket.writable || error.code === 'ECONNRESET' || socket._httpMessage) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify(
      contentfulError(
        tooLarge ? 'RequestHeaderFieldsTooLarge' : 'BadRequest',
        tooLarge ? 'The request headers are too large.' : 'The request is not valid HTTP.',
        'none',
      ),
    );
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        `Content-Type: ${MANAGEMENT_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
  // Node would answer these with a bare 400 and 417, before any handler ran; the app answers them instead.
  (server as Server & { requireHostHeader: boolean }).requireHostHeader = false;
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => server.emit('request', request, response));
}

/**
 * The app's half of {@link answerClientErrorsAsContentful}: an HTTP/1.1
 * request without `Host` is a 400 (RFC 9112 §3.2), an expectation other
 * than `100-continue` a 417 (RFC 9110 §10.1.1), each Contentful-shaped and
 * carrying its request id. It runs right after the request id is assigned.
 */
export function refuseUnmetHttpRequirements(request: HangarRequest, response: Response, next: NextFunction): void {
  const refuse = (status: number, id: ErrorId, message: string) => {
    // A body may follow (or, after an unmet expectation, may never come): it is not read, so the connection closes.
    lingeringClose(request, response);
    response.status(status).json(contentfulError(id, message, request.requestId ?? 'none'));
  };
  if (request.httpVersion === '1.1' && request.headers.host === undefined) {
    refuse(400, 'BadRequest', 'An HTTP/1.1 request needs a Host header.');
    return;
  }
  const expectation = request.headers.expect;
  if (expectation !== undefined && expectation.toLowerCase() !== '100-continue') {
    refuse(417, 'ExpectationFailed', 'Only the expectation 100-continue is supported.');
    return;
  }
  next();
}
