import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { settleWithin } from '@hangar/domain';
import { type HeldSlot, SlotSemaphoreService } from '@hangar/queue';
import { ConcurrentUploadsExceededError } from './ingest-errors';

/** A limiter outage must not take uploads down with it: past this, the body goes through uncounted. */
const LIMITER_TIMEOUT_MS = 250;
/** Past this, a release is left to the lease (Redis unreachable): the request does not wait for it. */
const RELEASE_TIMEOUT_MS = 1_000;

const UNCOUNTED: HeldSlot = { release: () => Promise.resolve() };

/**
 * The cap on bodies one user sends at once (UPLOAD_CONCURRENCY_PER_USER),
 * counted per user — tokens are free to mint — and shared by every api
 * replica through Redis. A slot is taken before the first byte of a body is
 * read and given back when the body ends, however it ends. Its lease lasts
 * UPLOAD_IDLE_TIMEOUT_SECONDS and is renewed while its process lives: a body
 * idle that long is ended anyway, so a replica that stopped renewing for
 * that long is gone, and its slots are free again.
 */
@Injectable()
export class UploadSlots {
  private readonly logger = new Logger(UploadSlots.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly semaphore: SlotSemaphoreService,
  ) {}

  /** Runs `work` holding one of the user's slots; 429 `RateLimitExceeded` when they are all taken. */
  async holding<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const slot = await this.take(userId);
    try {
      return await work();
    } finally {
      await settleWithin(slot.release(), RELEASE_TIMEOUT_MS, undefined);
    }
  }

  /** The slots of `userId` held now, across replicas. */
  inUse(userId: string): Promise<number> {
    return this.semaphore.count(slotName(userId));
  }

  private async take(userId: string): Promise<HeldSlot> {
    const { maxConcurrentPerUser: limit, idleTimeoutSeconds } = this.config.uploads;
    if (limit === 0) return UNCOUNTED;
    if (!this.semaphore.available) return this.uncounted('redis is not connected');
    const attempt = this.semaphore.tryAcquire(slotName(userId), limit, idleTimeoutSeconds * 1000);
    const outcome = await settleWithin<HeldSlot | 'full' | 'unknown'>(
      attempt.then((slot) => slot ?? 'full'),
      LIMITER_TIMEOUT_MS,
      'unknown',
    );
    if (outcome === 'full') throw new ConcurrentUploadsExceededError(limit);
    if (outcome === 'unknown') {
      // Taken after all, too late: give it back rather than hold it for nobody until its lease lapses.
      attempt.then((late) => late?.release()).catch(() => undefined);
      return this.uncounted('redis did not answer in time');
    }
    return outcome;
  }

  private uncounted(reason: string): HeldSlot {
    this.logger.warn({ msg: 'upload slot limiter unavailable; body let through uncounted', reason });
    return UNCOUNTED;
  }
}

function slotName(userId: string): string {
  return `uploads:${userId}`;
}
