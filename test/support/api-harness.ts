import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { JsonLogger } from '@hangar/observability';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { freePort, spawnApp, waitFor } from './processes';
import { startRoundRobinProxy } from './round-robin-proxy';
import { testConfig, testProcessEnv } from './test-env';

export interface RunningApi {
  /** The in-process api: serves requests, and lets tests read its database and storage. */
  readonly app: INestApplication;
  /** `http://127.0.0.1:<port>` of the real HTTP server (or of the balancer in front of the replicas). */
  readonly baseUrl: string;
  readonly host: string;
  close(): Promise<void>;
}

/**
 * With HANGAR_TEST_REPLICAS=2 (npm test sets it for a second pass of the
 * Upload and Asset suites), every api a test starts is two: this in-process
 * one and a process of the build, behind a round-robin balancer.
 */
export const TEST_REPLICAS = Number(process.env.HANGAR_TEST_REPLICAS ?? 1);

/** Boots the real api (same module, same middleware as `main.ts`) on a free loopback port. */
export async function startApi(env: Record<string, string> = {}): Promise<RunningApi> {
  const config = testConfig(env);
  const app = await createApiApp(config, new JsonLogger('api-test', config.logLevel));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const local = `http://127.0.0.1:${port}`;
  if (TEST_REPLICAS < 2) return { app, baseUrl: local, host: `127.0.0.1:${port}`, close: () => app.close() };

  const replicas = await Promise.all(Array.from({ length: TEST_REPLICAS - 1 }, () => spawnApiProcess(env)));
  const balancer = await startRoundRobinProxy([local, ...replicas.map(({ url }) => url)]);
  return {
    app,
    baseUrl: balancer.baseUrl,
    host: balancer.host,
    close: async () => {
      await balancer.close();
      for (const { replica } of replicas) {
        replica.child.kill('SIGTERM');
        await replica.exited;
      }
      await app.close();
    },
  };
}

/** Another api process of the build (a replica), on a free port, once it answers ready. */
export async function spawnApiProcess(env: Record<string, string> = {}): Promise<{ replica: ReturnType<typeof spawnApp>; url: string }> {
  const port = await freePort();
  const replica = spawnApp('api', testProcessEnv({ ...env, PORT: String(port) }));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    () =>
      fetch(`${url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    `api replica ${url}`,
  );
  return { replica, url };
}
