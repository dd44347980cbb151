import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarMetrics, runWithLogContext } from '@hangar/observability';
import { JobName, type JobPayloads, PermanentJobError, QUEUE_OF_JOB, type QueueName } from './job-contracts';
import { RedisService } from './redis.service';
import { JOB_HANDLERS, type JobHandler } from './job-handler';

/**
 * Runs a BullMQ worker per queue and dispatches each job to its handler.
 * Retries (attempts, backoff) come from the job options set at enqueue;
 * a PermanentJobError is not retried; a job that will not run again has its
 * failure recorded by its handler.
 */
@Injectable()
export class JobWorkersService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobWorkersService.name);
  private readonly workers: Worker[] = [];
  private readonly connections: Redis[] = [];
  private readonly handlers = new Map<string, JobHandler>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JOB_HANDLERS) handlers: JobHandler[],
    private readonly redis: RedisService,
    private readonly metrics: HangarMetrics,
  ) {
    for (const handler of handlers) this.handlers.set(handler.jobName, handler);
    const missing = Object.values(JobName).filter((name) => !this.handlers.has(name));
    if (missing.length > 0) throw new Error(`No handler for job(s): ${missing.join(', ')}`);
  }

  onApplicationBootstrap(): void {
    const queues = new Set<QueueName>(Object.values(QUEUE_OF_JOB));
    for (const queue of queues) {
      // A worker blocks on its connection, so it gets one of its own (closed with it below).
      const connection = this.redis.connection.duplicate();
      this.connections.push(connection);
      const worker = new Worker(queue, (job) => this.run(job), {
        connection,
        prefix: this.redis.prefix,
        concurrency: this.config.jobs.concurrency,
        lockDuration: this.config.jobs.lockSeconds * 1000,
        stalledInterval: Math.max(1000, (this.config.jobs.lockSeconds * 1000) / 2),
        maxStalledCount: 3,
      });
      worker.on('failed', (job, error) => void this.onFailed(job, error));
      worker.on('error', (error) => this.logger.warn({ msg: 'queue worker error', queue, reason: error.message }));
      this.workers.push(worker);
    }
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all(this.connections.map((connection) => connection.quit().catch(() => connection.disconnect())));
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new UnrecoverableError(`no handler for ${job.name}`);
    const jobId = job.id ?? 'unknown';
    const labels = { queue: job.queueName, job: job.name };
    await runWithLogContext({ jobId }, () =>
      this.metrics.timed(this.metrics.jobDuration, labels, async () => {
        try {
          await handler.handle(job.data as JobPayloads[JobName], { jobId, attempt: job.attemptsMade + 1 });
        } catch (error) {
          if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
          throw error;
        }
      }),
    );
  }

  private async onFailed(job: Job | undefined, error: Error): Promise<void> {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    const final = error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= attempts;
    this.logger.warn({
      msg: final ? 'job failed for good' : 'job failed; it will be retried',
      jobId: job.id,
      attempt: job.attemptsMade,
      reason: error.message,
    });
    if (!final) return;
    try {
      await this.handlers.get(job.name)?.recordFinalFailure(job.data as JobPayloads[JobName], error.message);
    } catch (recordError) {
      this.logger.error({ msg: 'could not record a job failure', jobId: job.id, reason: (recordError as Error).message });
    }
  }
}
