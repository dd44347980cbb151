import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@hangar/config';
import { closeOnSignals, createLogger } from '@hangar/observability';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger('api', config.logLevel, config.logFormat);
  const app = await createApiApp(config, logger);
  const server = await app.listen(config.http.port, config.http.host);
  server.keepAliveTimeout = 65_000;
  // Node's default (300 s for a whole request) would cut a large upload on a slow link with a bare 408. Upload
  // bodies are bounded by their idle time instead (UPLOAD_IDLE_TIMEOUT_SECONDS, in the ingest core); headers keep
  // Node's headersTimeout.
  server.requestTimeout = 0;
  closeOnSignals(app, config.shutdownTimeoutSeconds, 'api');
  Logger.log(
    { msg: 'api listening', url: `http://${config.http.host}:${config.http.port}`, publicBaseUrl: config.publicBaseUrl.origin },
    'Main',
  );
}

main().catch((error: unknown) => {
  // One clear line for the operator, not a stack: config and connection errors say what to fix.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`hangar api failed to start: ${message}\n`);
  process.exit(1);
});
