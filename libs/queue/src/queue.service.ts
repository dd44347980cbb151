import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, type JobName, QUEUE_OF_JOB, type QueueName } from './job-contracts';
import { RedisService } from './redis.service';

/** Enqueues jobs; the only producer-side user of BullMQ. */
@Injectable()
export class QueueService implements OnModuleDestroy {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly redis: RedisService) {}

  /** Adds a job whose id was computed when it was staged (see OutboxService). */
  async add(name: JobName, jobId: string, payload: unknown): Promise<void> {
    await this.queue(QUEUE_OF_JOB[name]).add(name, payload, { ...DEFAULT_JOB_OPTIONS, jobId });
  }

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis.connection, prefix: this.redis.prefix });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
