import type { INestApplicationContext } from '@nestjs/common';
import { JsonLogger } from '@hangar/observability';
import { createWorkerApp } from '../../apps/worker/src/bootstrap';
import { TEST_REPLICAS } from './api-harness';
import { spawnApp } from './processes';
import { testConfig, testProcessEnv } from './test-env';

/**
 * Boots the real worker app (processors, scheduled jobs) in this process; with
 * HANGAR_TEST_REPLICAS=2, also a worker process of the build with the same
 * settings, so jobs are shared between two workers. `close()` stops both.
 */
export async function startWorker(env: Record<string, string> = {}): Promise<INestApplicationContext> {
  const config = testConfig(env);
  const worker = await createWorkerApp(config, new JsonLogger('worker-test', config.logLevel));
  if (TEST_REPLICAS < 2) return worker;
  const replicas = Array.from({ length: TEST_REPLICAS - 1 }, () => spawnApp('worker', testProcessEnv(env)));
  const closeInProcess = worker.close.bind(worker);
  worker.close = async () => {
    for (const replica of replicas) {
      replica.child.kill('SIGTERM');
      await replica.exited;
    }
    await closeInProcess();
  };
  return worker;
}
