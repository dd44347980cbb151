import { Injectable, Logger } from '@nestjs/common';
import { Prisma, PrismaService } from '@hangar/database';
import { settleWithin } from '@hangar/domain';
import { type JobName, jobIdOf, type JobPayloads } from './job-contracts';
import { QueueService } from './queue.service';
import { RedisService } from './redis.service';

/** How long the request path waits for Redis before leaving a message to the dispatcher. */
const FAST_PATH_TIMEOUT_MS = 500;
const ENQUEUE_TIMEOUT_MS = 5_000;
/** Dispatched messages are kept this long for inspection, then deleted. */
const KEEP_DISPATCHED_MS = 60 * 60 * 1000;

export interface StagedMessage {
  readonly id: bigint;
  readonly jobName: JobName;
  readonly jobId: string;
  readonly payload: unknown;
}

/**
 * The transactional outbox: a job is first a row written in the same
 * transaction as the change that needs it, then handed to BullMQ — at once
 * when Redis answers, else by the worker's dispatcher once it is back.
 * Job ids are deterministic, so handing a message over twice is harmless.
 */
@Injectable()
export class OutboxService {
  private readonly logger = new Logger(OutboxService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly queue: QueueService,
    private readonly redis: RedisService,
  ) {}

  /** Writes a job into the outbox inside the caller's transaction. */
  async stage<N extends JobName>(tx: Prisma.TransactionClient, name: N, payload: JobPayloads[N]): Promise<StagedMessage> {
    const jobId = jobIdOf(name, payload);
    const { id } = await tx.outboxMessage.create({ data: { jobName: name, jobId, payload: payload }, select: { id: true } });
    return { id, jobName: name, jobId, payload };
  }

  /**
   * The `INSERT … RETURNING "id"` that writes a job into the outbox once per row of the common table `from`, for a
   * statement that writes a change and its job together; `message` is the staged message but for its id.
   */
  insertFrom<N extends JobName>(from: string, name: N, payload: JobPayloads[N]): { sql: Prisma.Sql; message: Omit<StagedMessage, 'id'> } {
    const jobId = jobIdOf(name, payload);
    return {
      sql: Prisma.sql`
        INSERT INTO "OutboxMessage" ("jobName", "jobId", "payload")
        SELECT ${name}, ${jobId}, ${JSON.stringify(payload)}::jsonb FROM ${Prisma.raw(`"${from}"`)}
        RETURNING "id"`,
      message: { jobName: name, jobId, payload },
    };
  }

  /** Hands just-committed messages to BullMQ if Redis answers now; never fails the caller. */
  async dispatchNow(messages: readonly StagedMessage[]): Promise<void> {
    if (this.redis.connection.status !== 'ready') return;
    // Not re-read: should the dispatcher have handed one over meanwhile, its deterministic job id makes this add a no-op.
    await settleWithin(Promise.all(messages.map((message) => this.handOver(message))), FAST_PATH_TIMEOUT_MS, undefined);
  }

  /**
   * Hands up to `limit` waiting messages to BullMQ, oldest first. Several
   * dispatchers may run at once: each locks its own rows (SKIP LOCKED).
   * Returns how many were handed over.
   */
  async dispatchPending(limit = 100): Promise<number> {
    if (this.redis.connection.status !== 'ready') return 0;
    const dispatched = await this.prisma.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<{ id: bigint; jobName: string; jobId: string; payload: unknown }[]>`
          SELECT "id", "jobName", "jobId", "payload" FROM "OutboxMessage"
          WHERE "dispatchedAt" IS NULL ORDER BY "id" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
        const handedOver: bigint[] = [];
        for (const row of rows) {
          const ok = await settleWithin(
            this.queue.add(row.jobName as JobName, row.jobId, row.payload).then(() => true),
            ENQUEUE_TIMEOUT_MS,
            false,
          );
          if (!ok) break;
          handedOver.push(row.id);
        }
        if (handedOver.length > 0)
          await tx.outboxMessage.updateMany({ where: { id: { in: handedOver } }, data: { dispatchedAt: new Date() } });
        return handedOver.length;
      },
      { timeout: 60_000 },
    );
    await this.prisma.outboxMessage.deleteMany({ where: { dispatchedAt: { lt: new Date(Date.now() - KEEP_DISPATCHED_MS) } } });
    return dispatched;
  }

  /** Staged jobs not yet handed to their queue (the dispatcher's backlog). */
  async backlog(): Promise<number> {
    return this.prisma.outboxMessage.count({ where: { dispatchedAt: null } });
  }

  private async handOver(row: StagedMessage): Promise<void> {
    try {
      await this.queue.add(row.jobName, row.jobId, row.payload);
      await this.prisma.outboxMessage.updateMany({ where: { id: row.id, dispatchedAt: null }, data: { dispatchedAt: new Date() } });
    } catch (error) {
      this.logger.warn({ msg: 'outbox message left for the dispatcher', jobId: row.jobId, reason: (error as Error).message });
    }
  }
}
