import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import express, { type NextFunction, type RequestHandler, type Response } from 'express';
import { runWithLogContext } from '@hangar/observability';
import type { HangarRequest } from './http-request';
import { APP_CONFIG, type AppConfig } from '@hangar/config';

/** Media types parsed as JSON: Contentful's own and plain JSON. */
export const JSON_MEDIA_TYPES = ['application/json', 'application/vnd.contentful.management.v1+json', 'application/*+json'];

/**
 * Parses JSON bodies within the configured size limit. It runs as a Nest
 * middleware (not an Express one) so that its errors — malformed JSON, body
 * too large — reach the exception filter and get a Contentful-shaped answer.
 * Other media types are left unread for the routes that stream them.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: RequestHandler;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.parse = express.json({ type: JSON_MEDIA_TYPES, limit: config.http.jsonBodyLimitBytes, strict: true });
  }

  use(request: HangarRequest, response: Response, next: NextFunction): void {
    // The parser calls back from the socket's 'end' event, outside the request's log context: re-enter it.
    void this.parse(request, response, (error?: unknown) => runWithLogContext({ requestId: request.requestId }, () => next(error)));
  }
}
