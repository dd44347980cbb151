import { JsonLogger } from './json-logger';
import { PrettyLogger } from './pretty-logger';
import type { LogLevel, StructuredLogger } from './structured-logger';

/** `auto`: pretty when stdout is a terminal (a person is watching), JSON otherwise (a pipe, a file, a log shipper). */
export type LogFormatSetting = 'auto' | 'json' | 'pretty';

/**
 * The app's logger, built once in its `main.ts`. Whether stdout is a terminal
 * is asked here, at boot, and nowhere else.
 */
export function createLogger(
  app: string,
  minimumLevel: LogLevel,
  format: LogFormatSetting,
  stdout: { readonly isTTY?: boolean } = process.stdout,
): StructuredLogger {
  const pretty = format === 'pretty' || (format === 'auto' && stdout.isTTY === true);
  return pretty ? new PrettyLogger(app, minimumLevel) : new JsonLogger(app, minimumLevel);
}
