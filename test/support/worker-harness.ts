import type { INestApplicationContext } from '@nestjs/common';
import { JsonLogger } from '@hangar/observability';
import { createWorkerApp } from '../../apps/worker/src/bootstrap';
import { testConfig } from './test-env';

/** Boots the real worker app (processors, scheduled jobs) in this process. */
export async function startWorker(env: Record<string, string> = {}): Promise<INestApplicationContext> {
  const config = testConfig(env);
  return createWorkerApp(config, new JsonLogger('worker-test', config.logLevel));
}
