import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarMetrics } from '@hangar/observability';
import { RoundLockService } from '@hangar/queue';
import { BlobStore, REAP_BATCH_SIZE, UploadCleanupService } from '@hangar/ingest';
import { PeriodicTask } from '../scheduling/periodic-task';

export const UPLOAD_PURGE_JOB = 'upload-purge';
/** Bounds one round; the next round carries on where this one stopped. */
const MAX_BATCHES_PER_ROUND = 200;

export interface PurgeRound {
  /** False when another replica had claimed this round. */
  readonly ran: boolean;
  readonly purged: number;
  /** Blobs removed because nothing referenced them any more (an expired upload's bytes no asset or file took). */
  readonly reapedBlobs: number;
}

/**
 * Every PURGE_INTERVAL_SECONDS, one worker replica (elected per round in
 * Redis) deletes expired uploads — objects, then rows — in batches.
 */
@Injectable()
export class UploadPurgeJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(UploadPurgeJob.name);
  private readonly task: PeriodicTask;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rounds: RoundLockService,
    private readonly cleanup: UploadCleanupService,
    private readonly blobs: BlobStore,
    private readonly metrics: HangarMetrics,
    scheduler: SchedulerRegistry,
  ) {
    this.task = new PeriodicTask(scheduler, UPLOAD_PURGE_JOB, this.logger);
  }

  onApplicationBootstrap(): void {
    this.task.start(this.config.purge.intervalSeconds * 1000, () => this.runRound());
  }

  /** Lets a round in progress finish before the app closes its connections. */
  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /**
   * One round, if this replica wins it. `roundTime` picks the round to claim
   * (tests and benchmarks claim rounds of their own); expiry is always judged
   * against the current time.
   */
  async runRound(roundTime = Date.now()): Promise<PurgeRound> {
    if (!(await this.rounds.claimRound(UPLOAD_PURGE_JOB, this.config.purge.intervalSeconds, roundTime))) {
      return { ran: false, purged: 0, reapedBlobs: 0 };
    }
    const now = new Date();
    const abandonedBefore = new Date(now.getTime() - this.config.uploads.abandonSeconds * 1000);
    let purged = 0;
    // One batch's bytes are removed from storage while the next batch's rows go.
    let releasing: Promise<void> = Promise.resolve();
    for (let batch = 0; batch < MAX_BATCHES_PER_ROUND; batch += 1) {
      const { purged: count, released } = await this.cleanup.purgeBatch(now, abandonedBefore);
      await releasing;
      releasing = released;
      purged += count;
      if (count === 0) break;
    }
    await releasing;
    let reapedBlobs = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_ROUND; batch += 1) {
      const count = await this.blobs.reap(this.config.purge.blobGraceSeconds);
      reapedBlobs += count;
      if (count < REAP_BATCH_SIZE) break;
    }
    this.metrics.purgeRounds.inc();
    this.metrics.purgedUploads.inc(purged);
    this.metrics.reapedBlobs.inc(reapedBlobs);
    if (purged > 0 || reapedBlobs > 0) this.logger.log({ msg: 'purged expired uploads', purged, reapedBlobs });
    return { ran: true, purged, reapedBlobs };
  }
}
