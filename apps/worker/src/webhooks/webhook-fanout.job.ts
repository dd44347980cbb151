import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { WebhookFanoutService } from '@hangar/events';
import { PeriodicTask } from '../scheduling/periodic-task';

export const WEBHOOK_FANOUT = 'webhook-fanout';
/** Events read per transaction; a full batch is followed by the next at once. */
const BATCH = 200;

/** Looks for new settled domain events every WEBHOOK_FANOUT_INTERVAL_MS (0: never) and makes their webhook deliveries. */
@Injectable()
export class WebhookFanoutJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookFanoutJob.name);
  private readonly task: PeriodicTask;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly fanout: WebhookFanoutService,
    scheduler: SchedulerRegistry,
  ) {
    this.task = new PeriodicTask(scheduler, WEBHOOK_FANOUT, this.logger);
  }

  onApplicationBootstrap(): void {
    if (this.config.webhooks.fanoutIntervalMs > 0) this.task.start(this.config.webhooks.fanoutIntervalMs, () => this.drain());
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  private async drain(): Promise<void> {
    while ((await this.fanout.fanOutOnce(BATCH)) === BATCH);
  }
}
