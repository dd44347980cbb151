import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HangarMetrics } from '@hangar/observability';
import { JOB_STATES, OutboxService, QueueService } from '@hangar/queue';

/**
 * State that lives in Redis and PostgreSQL, read when Prometheus scrapes: the depth of each BullMQ queue and the
 * outbox's backlog. Every api replica answers the same (it is shared state), so a dashboard takes max(), not sum().
 */
@Injectable()
export class ScrapeTimeMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: HangarMetrics,
    private readonly queues: QueueService,
    private readonly outbox: OutboxService,
  ) {}

  onModuleInit(): void {
    this.metrics.scrapeTimeGauge(
      'hangar_queue_jobs',
      "Jobs in each of Hangar's BullMQ queues, by state, read at scrape time.",
      ['queue', 'state'],
      async (gauge) => {
        gauge.reset();
        for (const { queue, counts } of await this.queues.jobCounts()) {
          for (const state of JOB_STATES) gauge.set({ queue, state }, counts[state]);
        }
      },
    );
    this.metrics.scrapeTimeGauge(
      'hangar_outbox_backlog',
      'Staged jobs the outbox has not yet handed to their queue, read at scrape time.',
      [],
      async (gauge) => {
        gauge.set(await this.outbox.backlog());
      },
    );
  }
}
