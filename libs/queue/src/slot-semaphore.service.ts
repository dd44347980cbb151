import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { settleWithin } from '@hangar/domain';
import { RedisService } from './redis.service';

/** One slot of a {@link SlotSemaphoreService} set, held until `release` (idempotent). */
export interface HeldSlot {
  release(): Promise<void>;
}

/** Redis's clock, in milliseconds: every replica's leases are compared on one clock, whatever theirs say. */
const NOW = `local clock = redis.call('TIME') local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/** KEYS[1] the set; ARGV: limit, lease ms, slot id. 1 when the slot was taken, 0 when all are. */
const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

/** KEYS[1] the set; ARGV: lease ms, slot id. Pushes a live slot's lease out; a lapsed one stays gone. */
const RENEW = `${NOW}
local renewed = redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return renewed`;

/**
 * Counting semaphores shared by every replica: at most `limit` slots of a
 * name are held at once. A slot is a member of a Redis sorted set scored by
 * when its lease runs out; the holder renews it every third of the lease
 * while it lives, so a replica that dies holding slots frees them when their
 * leases lapse (the next acquire drops lapsed members), and one that shuts
 * down releases them.
 */
@Injectable()
export class SlotSemaphoreService implements OnModuleDestroy {
  private readonly logger = new Logger(SlotSemaphoreService.name);
  private readonly held = new Set<HeldSlot>();

  constructor(private readonly redis: RedisService) {}

  /** False when Redis is not connected (commands would wait for a reconnect). */
  get available(): boolean {
    return this.redis.connection.status === 'ready';
  }

  /** Takes a slot of `name`, or answers undefined when `limit` are held. */
  async tryAcquire(name: string, limit: number, leaseMs: number): Promise<HeldSlot | undefined> {
    const key = this.keyOf(name);
    const id = randomUUID();
    const taken = await this.redis.connection.eval(ACQUIRE, 1, key, limit, leaseMs, id);
    if (taken !== 1) return undefined;

    const renewal = setInterval(() => {
      this.redis.connection.eval(RENEW, 1, key, leaseMs, id).catch((error: unknown) => {
        // The next renewal may succeed; if none does, the lease lapses and the slot is freed for others early.
        this.logger.warn({ msg: 'could not renew a slot lease', name, reason: (error as Error).message });
      });
    }, leaseMs / 3);
    renewal.unref();
    let released: Promise<void> | undefined;
    const slot: HeldSlot = {
      release: () => {
        released ??= (async () => {
          clearInterval(renewal);
          this.held.delete(slot);
          await this.redis.connection.zrem(key, id);
        })();
        return released;
      },
    };
    this.held.add(slot);
    return slot;
  }

  /** How many slots of `name` are held, lapsed leases excluded (for tests and diagnostics). */
  async count(name: string): Promise<number> {
    const time = await this.redis.connection.time();
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    return this.redis.connection.zcount(this.keyOf(name), `(${now}`, '+inf');
  }

  /** Frees this process's slots for the other replicas; without Redis, their leases lapse instead. */
  async onModuleDestroy(): Promise<void> {
    await settleWithin(Promise.allSettled([...this.held].map((slot) => slot.release())), 1_000, undefined);
  }

  private keyOf(name: string): string {
    return `${this.redis.prefix}:slots:${name}`;
  }
}
