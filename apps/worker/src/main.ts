import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@hangar/config';
import { closeOnSignals, createLogger } from '@hangar/observability';
import { createWorkerApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createWorkerApp(config, createLogger('worker', config.logLevel, config.logFormat));
  closeOnSignals(app, config.shutdownTimeoutSeconds, 'worker');
  Logger.log({ msg: 'worker ready' }, 'Main');
}

main().catch((error: unknown) => {
  process.stderr.write(`hangar worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
