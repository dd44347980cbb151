import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarMetrics, metricsAuthorized } from '@hangar/observability';

const ERROR_TYPE = 'application/vnd.contentful.management.v1+json';

/**
 * The worker's own `/metrics`, on WORKER_METRICS_PORT (off when unset). What
 * the worker counts (jobs, purges, sweeps, remote and ZIP uploads) lives in
 * its process: Prometheus scrapes each worker as its own target, as it does
 * each api replica, and sums them — rather than every counter going through
 * Redis for the api to read, which would add a write per event and hand-made
 * histograms. A worker that restarts starts its counters at 0, which
 * Prometheus' rate() and increase() expect.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server: Server | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: HangarMetrics,
  ) {}

  /** `http://host:port` of the metrics server, once listening; undefined when WORKER_METRICS_PORT is unset. */
  get url(): string | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) return undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${address.port}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.metrics.workerPort;
    if (port === undefined) return;
    const server = createServer((request, response) => {
      const answer = (status: number, id: string, message: string) => {
        response.writeHead(status, { 'Content-Type': ERROR_TYPE, 'X-Content-Type-Options': 'nosniff' });
        response.end(JSON.stringify({ sys: { type: 'Error', id }, message, requestId: randomUUID() }));
      };
      const path = (request.url ?? '').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        answer(404, 'NotFound', 'The worker serves GET /metrics only.');
        return;
      }
      if (!metricsAuthorized(this.config.metrics.token, request.headers.authorization)) {
        response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        answer(401, 'AccessTokenInvalid', 'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.');
        return;
      }
      this.metrics.registry.metrics().then(
        (body) => {
          response.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
          response.end(request.method === 'HEAD' ? undefined : body);
        },
        (error: unknown) => answer(500, 'ServerError', `Metrics could not be collected: ${(error as Error).message}`),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.http.host, () => resolve());
    });
    this.logger.log({ msg: 'worker metrics listening', url: `${this.url ?? ''}/metrics` });
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
