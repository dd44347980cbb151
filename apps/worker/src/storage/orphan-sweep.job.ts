import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { PrismaService } from '@hangar/database';
import { RedisService, RoundLockService } from '@hangar/queue';
import { StorageService } from '@hangar/storage';
import { PeriodicTask } from '../scheduling/periodic-task';

export const ORPHAN_SWEEP_JOB = 'orphan-sweep';
const PAGE_SIZE = 1000;
const PAGES_PER_ROUND = 20;

export interface SweepRound {
  readonly ran: boolean;
  readonly scanned: number;
  readonly deleted: number;
  /** True when this round reached the end of the bucket (the next starts over). */
  readonly wrapped: boolean;
}

/**
 * Deletes objects no row owns (an upload or an asset file), once they are
 * older than the grace period. Rows are always written before their objects,
 * so a young object without a row is one being written; an old one is left
 * over from a failure. Each round reads a bounded number of pages from a
 * cursor kept in Redis and one replica runs it (elected per round).
 */
@Injectable()
export class OrphanSweepJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OrphanSweepJob.name);
  private readonly task: PeriodicTask;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rounds: RoundLockService,
    private readonly redis: RedisService,
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
    scheduler: SchedulerRegistry,
  ) {
    this.task = new PeriodicTask(scheduler, ORPHAN_SWEEP_JOB, this.logger);
  }

  onApplicationBootstrap(): void {
    this.task.start(this.config.orphanSweep.intervalSeconds * 1000, () => this.runRound());
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /** One round, if this replica wins it; `roundTime` picks the round (tests claim their own). */
  async runRound(roundTime = Date.now()): Promise<SweepRound> {
    if (!(await this.rounds.claimRound(ORPHAN_SWEEP_JOB, this.config.orphanSweep.intervalSeconds, roundTime))) {
      return { ran: false, scanned: 0, deleted: 0, wrapped: false };
    }
    const cursorKey = `${this.redis.prefix}:cursor:${ORPHAN_SWEEP_JOB}:${this.storage.bucket}`;
    let cursor = (await this.redis.connection.get(cursorKey)) ?? '';
    const cutoff = Date.now() - this.config.orphanSweep.graceSeconds * 1000;
    let scanned = 0;
    let deleted = 0;
    let wrapped = false;
    for (let page = 0; page < PAGES_PER_ROUND && !wrapped; page += 1) {
      const objects = await this.storage.listPage(cursor, PAGE_SIZE);
      scanned += objects.length;
      const old = objects.filter((object) => object.lastModified.getTime() < cutoff).map((object) => object.key);
      const owned = await this.ownedKeys(old);
      const orphans = old.filter((key) => !owned.has(key));
      if (orphans.length > 0) {
        await this.storage.removeMany(orphans);
        deleted += orphans.length;
      }
      wrapped = objects.length < PAGE_SIZE;
      cursor = wrapped ? '' : (objects.at(-1)?.key ?? '');
    }
    await this.redis.connection.set(cursorKey, cursor);
    if (deleted > 0) this.logger.log({ msg: 'deleted orphaned objects', deleted, scanned });
    return { ran: true, scanned, deleted, wrapped };
  }

  private async ownedKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const [uploads, files] = await Promise.all([
      this.prisma.upload.findMany({ where: { objectKey: { in: keys } }, select: { objectKey: true } }),
      this.prisma.assetFile.findMany({ where: { objectKey: { in: keys } }, select: { objectKey: true } }),
    ]);
    return new Set([...uploads, ...files].map((row) => row.objectKey));
  }
}
