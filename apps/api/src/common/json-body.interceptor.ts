import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import express, { type RequestHandler, type Response } from 'express';
import type { Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarError } from '@hangar/domain';
import type { HangarRequest } from './http-request';
import { unstorableBodyError } from './unstorable-text';

/** Media types parsed as JSON: Contentful's own and plain JSON. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/vnd.contentful.management.v1+json', 'application/*+json'];

export const READS_OWN_BODY = 'hangar:readsOwnBody';

/**
 * Marks a route that reads its body itself, streamed, whatever its media
 * type: the Upload API, whose base64 JSON body may be far larger than
 * JSON_BODY_LIMIT_BYTES and is decoded as it arrives. Such a route
 * answers for its own limits and for the text rules (unstorable-text.ts) of
 * what it keeps.
 */
export const ReadsOwnBody = (): MethodDecorator => SetMetadata(READS_OWN_BODY, true);

/**
 * Parses JSON bodies within the configured size limit, once the request has
 * passed every guard with a verified token. Other media types are left unread
 * for the routes that stream them.
 *
 * Why an interceptor: Nest runs middleware before guards, so a body parser
 * there reads and parses up to the limit (after decompression) for anyone,
 * token or not. A global interceptor runs after all guards — global,
 * controller and route ones alike — and before the route's parameters are
 * resolved (params and pipes resolve inside the interceptor chain), so a
 * request refused with 401, 403, 404 or 429 never has its body read: the
 * exception filter answers it and drains the body unread (lingering close).
 * Unknown routes never get here either. Errors thrown here reach the
 * exception filter like a handler's.
 */
@Injectable()
export class JsonBodyInterceptor implements NestInterceptor {
  private readonly parse: RequestHandler;
  private readonly limitBytes: number;

  /** Node's total request timeout is off (an upload may take hours): a JSON body's pauses are bounded here instead. */
  private readonly idleMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.limitBytes = config.http.jsonBodyLimitBytes;
    this.idleMs = config.uploads.idleTimeoutSeconds * 1000;
    this.parse = express.json({ type: JSON_MEDIA_TYPES, limit: this.limitBytes, strict: true });
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<HangarRequest>();
    // Public routes (health, delivery) take no JSON body: one sent there is not worth parsing for an anonymous caller.
    const readsOwnBody = this.reflector.get<boolean | undefined>(READS_OWN_BODY, context.getHandler()) === true;
    if (request.principal && !readsOwnBody) await this.readJsonBody(request, http.getResponse<Response>());
    return next.handle();
  }

  /** The one place a JSON body is read and parsed into `request.body`. */
  private async readJsonBody(request: HangarRequest, response: Response): Promise<void> {
    if (this.declaresTooLargeJsonBody(request)) throw new HangarError('RequestEntityTooLarge', 'The request body is too large.');
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const stalled = () =>
        reject(
          new HangarError('RequestTimeout', `The request body stopped arriving for ${this.idleMs / 1000} s; send it again.`, {
            idleTimeoutSeconds: this.idleMs / 1000,
          }),
        );
      const arrived = () => {
        clearTimeout(timer);
        timer = setTimeout(stalled, this.idleMs);
      };
      let parsed = false;
      void this.parse(request, response, (error?: unknown) => {
        parsed = true;
        clearTimeout(timer);
        request.off('data', arrived);
        if (error) reject(undecodableAsBadRequest(error));
        else resolve();
      });
      // Only while the parser reads (a body of another type, or none, is answered at once and must stay unread), and
      // beside its own listener — both attach in this tick, before any data flows: each chunk re-arms the timer.
      if (!parsed) {
        request.on('data', arrived);
        arrived();
      }
    });
    // Text PostgreSQL cannot store is refused here, once for every route, with the path of the string that holds it.
    const unstorable = unstorableBodyError(request.body);
    if (unstorable) throw unstorable;
  }

  /**
   * A declared length past the limit is refused before anything is read: the
   * body parser would refuse it too, but only after reading the whole body
   * off the connection (and, for `Expect: 100-continue`, asking for it).
   * Compressed bodies are measured once inflated, by the parser.
   */
  private declaresTooLargeJsonBody(request: HangarRequest): boolean {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    const declared = Number(request.headers['content-length'] ?? 0);
    return encoding === 'identity' && declared > this.limitBytes && Boolean(request.is(JSON_MEDIA_TYPES));
  }
}

/**
 * The parser names each of its refusals with a `type` the exception filter
 * maps, except a body its decompressor cannot inflate (a zlib error with only
 * a status): the client's mistake, not a server error.
 */
function undecodableAsBadRequest(error: unknown): Error {
  const { status, type } = error as { status?: unknown; type?: unknown };
  if (status === 400 && type === undefined) {
    return new HangarError('BadRequest', 'The request body could not be decoded with its Content-Encoding.');
  }
  return error as Error;
}
