import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { OutboxService } from '@hangar/queue';

export const OUTBOX_DISPATCHER = 'outbox-dispatcher';
/** Short, because a message waits here only when the request path could not reach Redis. */
const INTERVAL_MS = 500;

/** Moves outbox messages the api could not hand over (Redis down) into BullMQ. */
@Injectable()
export class OutboxDispatcherJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxDispatcherJob.name);
  private running: Promise<void> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly scheduler: SchedulerRegistry,
    private readonly outbox: OutboxService,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduler.addInterval(
      OUTBOX_DISPATCHER,
      setInterval(() => {
        if (this.busy) return;
        this.busy = true;
        this.running = this.drain().finally(() => {
          this.busy = false;
        });
      }, INTERVAL_MS),
    );
  }

  async onModuleDestroy(): Promise<void> {
    if (this.scheduler.doesExist('interval', OUTBOX_DISPATCHER)) this.scheduler.deleteInterval(OUTBOX_DISPATCHER);
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      let handed = 0;
      for (let batch = await this.outbox.dispatchPending(); batch > 0; batch = await this.outbox.dispatchPending()) handed += batch;
      if (handed > 0) this.logger.log({ msg: 'dispatched outbox messages', count: handed });
    } catch (error) {
      this.logger.warn({ msg: 'outbox dispatch failed; will retry', reason: (error as Error).message });
    }
  }
}
