import { Logger } from '@nestjs/common';

interface Closable {
  close(): Promise<void>;
}

/**
 * On SIGTERM or SIGINT: close the app (stop accepting, let in-flight requests
 * and jobs finish, close connections), then exit 0. Past `timeoutSeconds`
 * the process exits 1 rather than hang a deploy.
 */
export function closeOnSignals(app: Closable, timeoutSeconds: number, name: string): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log({ msg: `${name} stopping`, signal });
    setTimeout(() => {
      logger.error({ msg: `${name} did not stop within ${timeoutSeconds}s; exiting` });
      process.exit(1);
    }, timeoutSeconds * 1000).unref();
    app.close().then(
      () => {
        logger.log({ msg: `${name} stopped` });
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ msg: `${name} failed to stop cleanly`, error: error instanceof Error ? error.message : String(error) });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
