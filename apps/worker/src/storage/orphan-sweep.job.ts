import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarMetrics } from '@hangar/observability';
import { RedisService, RoundLockService } from '@hangar/queue';
import { ObjectOwnershipRegistry, StorageService } from '@hangar/storage';
import { PeriodicTask } from '../scheduling/periodic-task';

export const ORPHAN_SWEEP_JOB = 'orphan-sweep';
const PAGE_SIZE = 1000;
const PAGES_PER_ROUND = 20;
/** Pages of S3's incomplete-multipart-upload listing (up to 1000 each) read per round. */
const MULTIPART_PAGES_PER_ROUND = 5;

export interface SweepRound {
  readonly ran: boolean;
  readonly scanned: number;
  readonly deleted: number;
  /** Incomplete multipart uploads no row needs, aborted this round. */
  readonly abortedMultipart: number;
  /** True when this round reached the end of the bucket (the next starts over). */
  readonly wrapped: boolean;
}

/**
 * Deletes objects no row owns and aborts multipart uploads no row needs,
 * once they are older than the grace period; the ownership registry says
 * what each kind of row owns. Rows are always written before their objects
 * (and a session records its multipart upload before its first part), so a
 * young object without a row is one being written; an old one is left over
 * from a failure, such as an api killed mid-body. Each round reads a bounded
 * number of pages from cursors kept in Redis, and one replica runs it
 * (elected per round).
 */
@Injectable()
export class OrphanSweepJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OrphanSweepJob.name);
  private readonly task: PeriodicTask;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rounds: RoundLockService,
    private readonly redis: RedisService,
    private readonly storage: StorageService,
    private readonly owners: ObjectOwnershipRegistry,
    private readonly metrics: HangarMetrics,
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
      return { ran: false, scanned: 0, deleted: 0, abortedMultipart: 0, wrapped: false };
    }
    const cutoff = Date.now() - this.config.orphanSweep.graceSeconds * 1000;
    const objects = await this.sweepObjects(cutoff);
    const abortedMultipart = await this.sweepMultipartUploads(cutoff);
    this.metrics.sweepRounds.inc();
    this.metrics.sweptObjects.inc({ kind: 'object' }, objects.deleted);
    this.metrics.sweptObjects.inc({ kind: 'multipart-upload' }, abortedMultipart);
    if (objects.deleted > 0 || abortedMultipart > 0) {
      this.logger.log({ msg: 'removed what no row owns', deletedObjects: objects.deleted, abortedMultipart, scanned: objects.scanned });
    }
    return { ran: true, ...objects, abortedMultipart };
  }

  private async sweepObjects(cutoff: number): Promise<{ scanned: number; deleted: number; wrapped: boolean }> {
    const cursorKey = this.cursorKey('objects');
    let cursor = (await this.redis.connection.get(cursorKey)) ?? '';
    let scanned = 0;
    let deleted = 0;
    let wrapped = false;
    for (let page = 0; page < PAGES_PER_ROUND && !wrapped; page += 1) {
      const objects = await this.storage.listPage(cursor, PAGE_SIZE);
      scanned += objects.length;
      const old = objects.filter((object) => object.lastModified.getTime() < cutoff).map((object) => object.key);
      const owned = await this.owners.ownedKeys(old);
      const orphans = old.filter((key) => !owned.has(key));
      if (orphans.length > 0) {
        await this.storage.removeMany(orphans);
        deleted += orphans.length;
      }
      wrapped = objects.length < PAGE_SIZE;
      cursor = wrapped ? '' : (objects.at(-1)?.key ?? '');
    }
    await this.redis.connection.set(cursorKey, cursor);
    return { scanned, deleted, wrapped };
  }

  /** Multipart uploads are listed bucket-wide: MinIO lists them by exact key or for the whole bucket, not by prefix. */
  private async sweepMultipartUploads(cutoff: number): Promise<number> {
    const cursorKey = this.cursorKey('multipart');
    let keyMarker = (await this.redis.connection.get(cursorKey)) ?? '';
    let aborted = 0;
    for (let page = 0; page < MULTIPART_PAGES_PER_ROUND; page += 1) {
      const { uploads, nextKeyMarker } = await this.storage.listIncompleteMultipart('', keyMarker);
      for (const upload of uploads) {
        if (upload.initiated.getTime() >= cutoff || (await this.owners.ownsMultipart(upload.key, upload.uploadId))) continue;
        await this.storage.abortMultipart(upload.key, upload.uploadId);
        aborted += 1;
      }
      keyMarker = nextKeyMarker ?? '';
      if (nextKeyMarker === undefined) break;
    }
    await this.redis.connection.set(cursorKey, keyMarker);
    return aborted;
  }

  private cursorKey(what: 'objects' | 'multipart'): string {
    return `${this.redis.prefix}:cursor:${ORPHAN_SWEEP_JOB}:${what}:${this.storage.bucket}`;
  }
}
