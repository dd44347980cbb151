import type { Logger } from '@nestjs/common';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { runWithLogContext } from '@hangar/observability';

/**
 * A task run every interval through @nestjs/schedule's registry: a tick that
 * finds the previous run still going is skipped, each run logs under its own
 * job id, a failed run is logged and the next tick tries again, and `stop()`
 * waits for a run in progress so shutdown never cuts one in half.
 */
export class PeriodicTask {
  private current: Promise<void> | undefined;

  constructor(
    private readonly scheduler: SchedulerRegistry,
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number, run: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      if (this.current) return;
      this.current = runWithLogContext({ jobId: `${this.name}:${Date.now()}` }, run)
        .then(
          () => undefined,
          (error: unknown) => this.logger.warn({ msg: `${this.name} failed; the next run will retry`, reason: (error as Error).message }),
        )
        .finally(() => {
          this.current = undefined;
        });
    }, intervalMs);
    this.scheduler.addInterval(this.name, timer);
  }

  async stop(): Promise<void> {
    if (this.scheduler.doesExist('interval', this.name)) this.scheduler.deleteInterval(this.name);
    await this.current;
  }
}
