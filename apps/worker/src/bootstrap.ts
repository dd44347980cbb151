import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AppConfig } from '@hangar/config';
import { SharpLibrary } from '@hangar/media';
import { WorkerModule } from './worker.module';

/** Builds and starts the worker; shared by `main.ts` and the integration tests. */
export async function createWorkerApp(config: AppConfig, logger: LoggerService | false): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger, abortOnError: false });
  await app.init();
  // The worker decodes every image upload: sharp's codecs load now rather than while the first one waits.
  await app.get(SharpLibrary).warmUp();
  return app;
}
