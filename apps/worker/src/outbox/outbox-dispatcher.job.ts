import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { OutboxService } from '@hangar/queue';
import { PeriodicTask } from '../scheduling/periodic-task';

export const OUTBOX_DISPATCHER = 'outbox-dispatcher';
/** Short, because a message waits here only when the request path could not reach Redis. */
const INTERVAL_MS = 500;

/** Moves outbox messages the api could not hand over (Redis down) into BullMQ. */
@Injectable()
export class OutboxDispatcherJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxDispatcherJob.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly outbox: OutboxService,
    scheduler: SchedulerRegistry,
  ) {
    this.task = new PeriodicTask(scheduler, OUTBOX_DISPATCHER, this.logger);
  }

  onApplicationBootstrap(): void {
    this.task.start(INTERVAL_MS, () => this.drain());
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  private async drain(): Promise<void> {
    let handed = 0;
    for (let batch = await this.outbox.dispatchPending(); batch > 0; batch = await this.outbox.dispatchPending()) handed += batch;
    if (handed > 0) this.logger.log({ msg: 'dispatched outbox messages', count: handed });
  }
}
