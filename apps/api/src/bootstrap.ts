import type { IncomingMessage } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@hangar/config';
import { HangarMetrics } from '@hangar/observability';
import { ApiModule } from './api.module';
import { answerClientErrorsAsContentful, refuseUnmetHttpRequirements } from './common/client-errors';
import { ContentfulExceptionFilter } from './common/contentful-exception.filter';
import { continueWhenBodyIsRead } from './common/expect-continue';
import { assignRequestId } from './common/request-id.middleware';
import { ApiDocument } from './docs/api-docs.controller';
import { buildApiDocument } from './docs/api-document';
import { countRequests } from './metrics/http-metrics.middleware';

/**
 * Builds the api application (not yet listening). `main.ts` and the
 * integration tests share it, so tests exercise exactly what runs.
 */
export async function createApiApp(config: AppConfig, logger: LoggerService | false): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    // Bodies are read by JsonBodyInterceptor (JSON) or streamed by the upload routes: never buffered by default.
    bodyParser: false,
    logger,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // The client address (rate limits) is the socket's peer unless proxies in front are trusted to name it.
  app.set('trust proxy', config.http.trustProxyHops);
  app.useGlobalFilters(new ContentfulExceptionFilter());
  app.use(assignRequestId);
  app.use(countRequests(app.get(HangarMetrics)));
  app.use(refuseUnmetHttpRequirements);
  answerClientErrorsAsContentful(app.getHttpServer());
  continueWhenBodyIsRead(app.getHttpServer());
  const cors = {
    origin: config.corsOrigins === '*' ? '*' : [...config.corsOrigins],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'X-Contentful-Version',
      'X-Contentful-User-Agent',
      'X-Contentful-Source-Environment',
      'Range',
      'If-None-Match',
      // The seed dialects: the space of Capillary's and Akana's routes, and the cache-control Comapi's browser example sends.
      'X-Hangar-Space',
      'Cache-Control',
      // A reconnecting EventSource (pushed status, the events route) says where it was.
      'Last-Event-ID',
      // tus (browser clients such as Uppy)
      'Tus-Resumable',
      'Upload-Length',
      'Upload-Defer-Length',
      'Upload-Metadata',
      'Upload-Offset',
      'Upload-Concat',
      'Upload-Checksum',
    ],
    exposedHeaders: [
      'X-Contentful-Request-Id',
      'X-Contentful-RateLimit-Second-Limit',
      'X-Contentful-RateLimit-Second-Remaining',
      'X-Contentful-RateLimit-Reset',
      'ETag',
      'Content-Range',
      // tus
      'Location',
      'Tus-Resumable',
      'Tus-Version',
      'Tus-Extension',
      'Tus-Max-Size',
      'Tus-Checksum-Algorithm',
      'Upload-Offset',
      'Upload-Length',
      'Upload-Defer-Length',
      'Upload-Metadata',
      'Upload-Concat',
      'Upload-Expires',
      'X-Hangar-Upload-Id',
    ],
    maxAge: 86_400,
  };
  // The cors middleware answers every OPTIONS as a preflight; one without Access-Control-Request-Method is not
  // one (a tus client asking what the server supports), so it goes on to the routes.
  app.enableCors(
    (request: IncomingMessage, callback: (error: Error | null, options: typeof cors & { preflightContinue: boolean }) => void) =>
      callback(null, { ...cors, preflightContinue: request.headers['access-control-request-method'] === undefined }),
  );
  // Scanned on the first /docs-json request, once every module is in place (not at boot: idle memory).
  app.get(ApiDocument).buildWhenAsked(() => buildApiDocument(app, config));
  return app;
}
