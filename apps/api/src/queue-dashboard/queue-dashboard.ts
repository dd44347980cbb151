import { Injectable, type OnModuleInit } from '@nestjs/common';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Express } from 'express';
import { QueueName, QueueService } from '@hangar/queue';

/** Where the dashboard is served: its pages, its API and its static files all live under it. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * Bull Board over every queue Hangar has (libs/queue's QueueName: processing,
 * ZIP expansion, storage cleanup, webhooks), on the api's own queue
 * connections. An Express app of its own, which the dashboard's controller
 * hands requests to once Hangar's guards have let them through.
 */
@Injectable()
export class QueueDashboard implements OnModuleInit {
  private board: Express | undefined;

  constructor(private readonly queues: QueueService) {}

  onModuleInit(): void {
    const adapter = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: Object.values(QueueName).map((name) => new BullMQAdapter(this.queues.queue(name))),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'Hangar queues' } },
    });
    const board = adapter.getRouter() as Express;
    board.disable('x-powered-by');
    this.board = board;
  }

  get app(): Express {
    if (!this.board) throw new Error('the queue dashboard is not initialised');
    return this.board;
  }
}
