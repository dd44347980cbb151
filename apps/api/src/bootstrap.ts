import type { LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@hangar/config';
import { ApiModule } from './api.module';
import { ContentfulExceptionFilter } from './common/contentful-exception.filter';

/**
 * Builds the api application (not yet listening). `main.ts` and the
 * integration tests share it, so tests exercise exactly what runs.
 */
export async function createApiApp(config: AppConfig, logger: LoggerService | false): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    // Bodies are read by JsonBodyMiddleware (JSON) or streamed by the upload routes: never buffered by default.
    bodyParser: false,
    logger,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.useGlobalFilters(new ContentfulExceptionFilter());
  return app;
}
