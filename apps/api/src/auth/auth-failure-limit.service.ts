import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarError, settleWithin } from '@hangar/domain';
import { RedisService } from '@hangar/queue';
import { LIMITER_TIMEOUT_MS } from './rate-limit.service';

const WINDOW_SECONDS = 60;

/**
 * Limits failed authentications (an unknown or revoked token) per client
 * address, counted in Redis so every api replica shares the count: past the
 * limit, a token from that address is answered 429 `RateLimitExceeded` without
 * being looked up, until a minute after the address's first failure. Without
 * it, anyone could make the api look up tokens in PostgreSQL as fast as they
 * can send them.
 *
 * The window starts at an address's first failure (not on the clock's
 * minute), so a burst cannot straddle two windows to double the limit.
 */
@Injectable()
export class AuthFailureLimitService {
  private readonly logger = new Logger(AuthFailureLimitService.name);
  private readonly limit: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.limit = config.authFailuresPerMinute;
  }

  /** Throws 429 when `address` has used up its failures; call it before looking the token up. */
  async refuseExhausted(address: string): Promise<void> {
    if (!this.enabled()) return;
    const key = this.keyOf(address);
    // Every authenticated request asks this: one GET (not MULTI/GET/PTTL/EXEC, four commands); the window's
    // remaining time is read only for an address past its limit.
    const failures = await settleWithin(
      this.redis.connection.get(key).then((reply) => Number(reply ?? 0)),
      LIMITER_TIMEOUT_MS,
      0,
    );
    if (failures < this.limit) return;
    const remainingMs = await settleWithin(this.redis.connection.pttl(key), LIMITER_TIMEOUT_MS, 0);
    const resetSeconds = Math.max(1, Math.ceil(remainingMs / 1000));
    throw new HangarError(
      'RateLimitExceeded',
      `Too many requests with an invalid access token came from your address; try again in ${resetSeconds} seconds.`,
      { limit: this.limit, reset: resetSeconds },
    );
  }

  /** Counts one failed authentication from `address`. */
  async recordFailure(address: string): Promise<void> {
    if (!this.enabled()) return;
    const key = this.keyOf(address);
    // SET NX starts the window with the first failure; INCR keeps the key's expiry.
    const counted = this.redis.connection
      .multi()
      .set(key, 0, 'EX', WINDOW_SECONDS, 'NX')
      .incr(key)
      .exec()
      .then(() => true);
    if (!(await settleWithin(counted, LIMITER_TIMEOUT_MS, false))) {
      this.logger.debug({ msg: 'auth failure limiter unavailable; failure not counted' });
    }
  }

  private enabled(): boolean {
    // A limiter outage must not take authentication down with it: without Redis, nothing is counted or refused.
    return this.limit > 0 && this.redis.connection.status === 'ready';
  }

  private keyOf(address: string): string {
    return `${this.redis.prefix}:auth-failures:${address}`;
  }
}
