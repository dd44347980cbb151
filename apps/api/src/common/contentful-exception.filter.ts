import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { type ConstraintViolation, constraintViolationOf, isDatabaseUnavailable } from '@hangar/database';
import { type ErrorId, HangarError, ServiceUnavailableError } from '@hangar/domain';
import { contentfulError } from './contentful-error';
import type { HangarRequest } from './http-request';
import { lingeringClose } from './lingering-close';
import { MANAGEMENT_CONTENT_TYPE } from './request-id.middleware';

interface Answer {
  status: number;
  id: ErrorId;
  message: string;
  details?: Record<string, unknown>;
}

const ID_OF_STATUS: Record<number, ErrorId> = {
  400: 'BadRequest',
  401: 'AccessTokenInvalid',
  403: 'AccessDenied',
  404: 'NotFound',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'ValidationFailed',
  429: 'RateLimitExceeded',
  503: 'ServiceUnavailable',
};

/** Errors raised by Express's body parser carry a `type` and a `status`. */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | undefined;
  return typeof candidate?.type === 'string' && typeof candidate.status === 'number';
}

/**
 * Turns every error — ours, Nest's, Express's — into a Contentful-shaped body.
 * Unexpected errors become a 500 `ServerError` whose stack goes to the log,
 * never to the client.
 */
@Catch()
export class ContentfulExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<HangarRequest>();
    const response = http.getResponse<Response>();
    if (isClientAbort(exception, response)) {
      // The client went away (a cancelled download or upload): nothing is wrong here, and nobody is left to answer.
      this.logger.debug({ msg: 'client closed the connection', method: request.method, path: request.path, reason: describe(exception) });
      return;
    }
    const answer = this.answerFor(exception);

    if (answer.status === 503) {
      this.logger.warn({ msg: 'dependency unavailable', method: request.method, path: request.path, reason: answer.message });
    } else if (answer.status === 501) {
      // A feature this server does not offer (yet), asked for: nothing failed, so no stack.
      this.logger.warn({ msg: 'not implemented', method: request.method, path: request.path, reason: answer.message });
    } else if (answer.status >= 500) {
      this.logger.error({
        msg: 'request failed',
        method: request.method,
        path: request.path,
        status: answer.status,
        error: describe(exception),
        stack: exception instanceof Error ? exception.stack : undefined,
      });
    }
    if (response.headersSent) {
      // A stream broke after the status line went out: the only honest signal left is a cut connection.
      response.destroy();
      return;
    }
    if (!request.complete) {
      // The body was not (fully) read — a refused or broken upload: close the connection after this answer, but
      // read (within limits) what the client is still sending first, or the close would reset the answer away.
      lingeringClose(request, response);
    }
    const retryAfter = answer.status === 429 || answer.status === 503 ? retryAfterSeconds(answer.details) : undefined;
    if (retryAfter !== undefined) {
      // HTTP's own header (RFC 9110 §10.2.3), and for a rate limit Contentful's (its SDKs wait this long before retrying).
      if (answer.status === 429) response.setHeader('X-Contentful-RateLimit-Reset', String(retryAfter));
      response.setHeader('Retry-After', String(retryAfter));
    }
    response
      .status(answer.status)
      .type(MANAGEMENT_CONTENT_TYPE)
      .json(contentfulError(answer.id, answer.message, request.requestId ?? 'unknown', answer.details));
  }

  private answerFor(exception: unknown): Answer {
    if (exception instanceof HangarError) {
      return { status: exception.status, id: exception.errorId, message: exception.message, details: exception.details };
    }
    // Nest's Express adapter wraps body-parser errors in an HttpException; the original says what went wrong.
    const parserError = isBodyParserError(exception) ? exception : exception instanceof HttpException ? exception.cause : undefined;
    if (isBodyParserError(parserError) && parserError.status < 500) {
      return bodyParserAnswer(parserError);
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, id: ID_OF_STATUS[status] ?? (status >= 500 ? 'ServerError' : 'BadRequest'), message: httpMessage(exception) };
    }
    if (isDatabaseUnavailable(exception)) {
      const unavailable = new ServiceUnavailableError('database');
      return { status: 503, id: unavailable.errorId, message: unavailable.message, details: unavailable.details };
    }
    const violation = constraintViolationOf(exception);
    if (violation) return constraintAnswer(violation);
    return { status: 500, id: 'ServerError', message: 'Internal server error.' };
  }
}

/**
 * A constraint PostgreSQL enforced that the service did not check first —
 * in practice a race the checks could not see. A unique violation means a
 * concurrent request created the same thing: `409 Conflict`, as Contentful
 * answers a write that lost to another. A foreign-key violation means the
 * row this one belongs to (its space, environment, asset or user — always
 * named in the path or the body) was deleted meanwhile: `404 NotFound`, the
 * answer the same request gets a moment later. Services that know better
 * (a taken locale code is a 422) map their own first.
 */
function constraintAnswer(violation: ConstraintViolation): Answer {
  return violation.kind === 'unique'
    ? { status: 409, id: 'Conflict', message: 'A concurrent request already created this resource.' }
    : { status: 404, id: 'NotFound', message: 'A resource this request refers to no longer exists.' };
}

/** What a stream or socket reports when the peer is gone. */
const CLIENT_ABORT_CODES = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE']);

/**
 * The client closed its connection, and that is why the request failed: the
 * response is destroyed (Node does so when the socket closes) and the error
 * is one a closed peer causes. The same codes with the client still there
 * come from a dependency (storage cut a stream) and stay server errors.
 */
function isClientAbort(exception: unknown, response: Response): boolean {
  const code = (exception as { code?: unknown } | null | undefined)?.code;
  return response.destroyed && typeof code === 'string' && CLIENT_ABORT_CODES.has(code);
}

function describe(exception: unknown): string {
  return exception instanceof Error ? exception.message : String(exception);
}

/** The seconds a refused client should wait, as `details.reset` says: every limit's 429 carries one, and a busy 503 may. */
function retryAfterSeconds(details: Record<string, unknown> | undefined): number | undefined {
  const reset = details?.reset;
  return typeof reset === 'number' && Number.isInteger(reset) && reset > 0 ? reset : undefined;
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return exception.message;
}

function bodyParserAnswer(error: BodyParserError): Answer {
  switch (error.type) {
    case 'entity.parse.failed':
      return { status: 400, id: 'BadRequest', message: 'The request body is not valid JSON.' };
    case 'entity.too.large':
      return { status: 413, id: 'RequestEntityTooLarge', message: 'The request body is too large.' };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { status: 415, id: 'UnsupportedMediaType', message: error.message };
    default:
      return { status: error.status, id: ID_OF_STATUS[error.status] ?? 'BadRequest', message: error.message };
  }
}
