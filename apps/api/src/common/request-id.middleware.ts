import type { NextFunction, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { runWithLogContext } from '@hangar/observability';
import type { HangarRequest } from './http-request';

export const REQUEST_ID_HEADER = 'X-Contentful-Request-Id';
export const MANAGEMENT_CONTENT_TYPE = 'application/vnd.contentful.management.v1+json';

const accessLog = new Logger('Http');

// A proxy in front of us may pass its own id; only a plain token is trusted into logs and headers.
const FORWARDED_ID = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives every request an id, sent back in `X-Contentful-Request-Id` and
 * carried by every log line written while it is handled. It is the first
 * Express middleware (bootstrap.ts), so CORS preflights get an id too.
 */
export function assignRequestId(request: HangarRequest, response: Response, next: NextFunction): void {
  const forwarded = request.header(REQUEST_ID_HEADER);
  const requestId = forwarded && FORWARDED_ID.test(forwarded) ? forwarded : randomUUID();
  request.requestId = requestId;
  response.setHeader(REQUEST_ID_HEADER, requestId);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  // Express keeps a type set before res.json(); routes that stream files set their own.
  response.setHeader('Content-Type', MANAGEMENT_CONTENT_TYPE);
  const started = process.hrtime.bigint();
  runWithLogContext({ requestId }, () => {
    // One access-log line per request (never the query string: it may carry secrets), also for one whose client
    // went away before the answer was complete: 'close' without 'finish' is a cut download or an abandoned upload.
    response.once('close', () =>
      // Listeners run in the emitter's async context, not ours: name the request id explicitly.
      accessLog.log({
        msg: 'request',
        requestId,
        method: request.method,
        path: request.path,
        status: response.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        ...(response.writableFinished ? {} : { aborted: true }),
      }),
    );
    next();
  });
}
