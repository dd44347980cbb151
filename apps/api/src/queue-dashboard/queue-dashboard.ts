import { Injectable } from '@nestjs/common';
import type { Express } from 'express';
import { QueueName, QueueService } from '@hangar/queue';

/** Where the dashboard is served: its pages, its API and its static files all live under it. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue Hangar has (libs/queue's QueueName: processing,
 * ZIP expansion, storage cleanup, webhooks), on the api's own queue
 * connections. An Express app of its own, which the dashboard's controller
 * hands requests to once Hangar's guards have let them through. Built on
 * first use: Bull Board, its UI server and their dependencies add about
 * 15 MiB to a process, which an api whose dashboard nobody opens need not hold.
 */
@Injectable()
export class QueueDashboard {
  private board: Promise<Express> | undefined;

  constructor(private readonly queues: QueueService) {}

  app(): Promise<Express> {
    this.board ??= this.build().catch((error: unknown) => {
      this.board = undefined; // the next request tries again
      throw error;
    });
    return this.board;
  }

  private async build(): Promise<Express> {
    const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
      import('@bull-board/api'),
      import('@bull-board/api/bullMQAdapter'),
      import('@bull-board/express'),
    ]);
    const adapter = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: Object.values(QueueName).map((name) => new BullMQAdapter(this.queues.queue(name))),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'Hangar queues' } },
    });
    const board = adapter.getRouter() as Express;
    board.disable('x-powered-by');
    return board;
  }
}
