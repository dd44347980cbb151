import { Injectable, Logger } from '@nestjs/common';
import type { Lock, Locker, RequestRelease } from '@tus/utils';
import { type HeldSlot, SlotSemaphoreService } from '@hangar/queue';
import { TusProtocolError } from './tus-protocol';

/** A held lock lapses this long after its process stops renewing it (it died): the next request may take the upload. */
const LEASE_MS = 5_000;
/** How long a request waits for an upload another request holds; then 423, which tus clients retry. */
const WAIT_MS = 8_000;
const FIRST_RETRY_MS = 25;
const MAX_RETRY_MS = 500;

/**
 * @tus/server's per-upload lock, shared by every api replica: a Redis lease
 * (a one-slot {@link SlotSemaphoreService} set per upload, renewed while held,
 * lapsing {@link LEASE_MS} after its holder died). A request that finds the
 * upload locked asks the holder to let go when it runs in this process (a
 * client that reconnected while its old request still holds the lock: tus
 * ends that request's body where it stands), and otherwise waits — a holder
 * elsewhere ends when its body does, or after UPLOAD_IDLE_TIMEOUT_SECONDS of
 * silence — for at most {@link WAIT_MS}, then answers 423 Locked.
 *
 * The lock keeps two requests from writing one upload at once; the
 * ingestion core's conditional update of the offset is the backstop (the
 * second writer gets 409), so when Redis is down requests go on unlocked.
 */
@Injectable()
export class TusLocker implements Locker {
  private readonly logger = new Logger(TusLocker.name);
  /** The release callbacks of the requests holding a lock in this process, by upload id. */
  private readonly holders = new Map<string, RequestRelease>();

  constructor(private readonly semaphore: SlotSemaphoreService) {}

  newLock(uploadId: string): Lock {
    let held: HeldSlot | undefined;
    let release: RequestRelease | undefined;
    return {
      lock: async (signal, requestRelease) => {
        held = await this.acquire(uploadId, signal);
        release = requestRelease;
        this.holders.set(uploadId, requestRelease);
      },
      unlock: async () => {
        if (this.holders.get(uploadId) === release) this.holders.delete(uploadId);
        await held?.release();
        held = undefined;
      },
    };
  }

  private async acquire(uploadId: string, signal: AbortSignal): Promise<HeldSlot | undefined> {
    const deadline = Date.now() + WAIT_MS;
    for (let delay = FIRST_RETRY_MS; ; delay = Math.min(delay * 2, MAX_RETRY_MS)) {
      if (signal.aborted) throw new TusProtocolError(400, 'Request aborted while waiting for the upload lock\n');
      if (!this.semaphore.available) {
        this.logger.warn({ msg: 'redis is not connected; tus upload written without its lock', uploadId });
        return undefined;
      }
      const slot = await this.semaphore.tryAcquire(`tus-upload:${uploadId}`, 1, LEASE_MS);
      if (slot) return slot;
      void this.holders.get(uploadId)?.();
      if (Date.now() + delay > deadline) throw new TusProtocolError(423, 'Another request is writing this upload; try again\n');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
