import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { contentfulError } from './contentful-error';
import { MANAGEMENT_CONTENT_TYPE } from './request-id.middleware';

/**
 * Requests Node rejects before any handler runs (oversized headers, broken
 * HTTP) get a Contentful-shaped answer too, instead of Node's bare text.
 */
export function answerClientErrorsAsContentful(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
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
}
