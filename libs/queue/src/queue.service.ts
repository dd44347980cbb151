import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { jobOptionsOf, type JobName, QUEUE_OF_JOB, QueueName } from './job-contracts';

/** The states a queue's jobs are counted in (what operators read as a queue's depth). */
export const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children', 'failed', 'completed'] as const;
export type JobState = (typeof JOB_STATES)[number];
import { RedisService } from './redis.service';

/** Enqueues jobs; the only producer-side user of BullMQ. */
@Injectable()
export class QueueService implements OnModuleDestroy {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(
    private readonly redis: RedisService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Adds a job whose id was computed when it was staged (see OutboxService). */
  async add(name: JobName, jobId: string, payload: unknown): Promise<void> {
    const { maxAttempts, retrySeconds } = this.config.webhooks;
    const options = jobOptionsOf(name, { webhookAttempts: maxAttempts, webhookRetrySeconds: retrySeconds });
    await this.queue(QUEUE_OF_JOB[name]).add(name, payload, { ...options, jobId });
  }

  /** How many jobs each of Hangar's queues holds in each state, read from Redis now. */
  async jobCounts(): Promise<{ queue: QueueName; counts: Record<JobState, number> }[]> {
    return Promise.all(
      Object.values(QueueName).map(async (queue) => {
        const raw = await this.queue(queue).getJobCounts(...JOB_STATES);
        const counts = Object.fromEntries(JOB_STATES.map((state) => [state, raw[state] ?? 0])) as Record<JobState, number>;
        return { queue, counts };
      }),
    );
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
