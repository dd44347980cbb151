import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { JsonLogger } from '@hangar/observability';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { testConfig } from './test-env';

export interface RunningApi {
  readonly app: INestApplication;
  /** `http://127.0.0.1:<port>` of the real HTTP server. */
  readonly baseUrl: string;
  readonly host: string;
  close(): Promise<void>;
}

/** Boots the real api (same module, same middleware as `main.ts`) on a free loopback port. */
export async function startApi(env: Record<string, string> = {}): Promise<RunningApi> {
  const config = testConfig(env);
  const app = await createApiApp(config, new JsonLogger('api-test', config.logLevel));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, close: () => app.close() };
}
