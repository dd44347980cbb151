import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarError, settleWithin } from '@hangar/domain';
import { RedisService } from '@hangar/queue';

/** A limiter outage must not take the API down with it: past this, the request goes through. */
export const LIMITER_TIMEOUT_MS = 100;

/** INCR the window's key, giving it its expiry (ARGV[1] seconds) when this request opened the window. */
const COUNT_IN_WINDOW = `local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

/**
 * Per-user request limit, a one-second window counted in Redis so every api
 * replica shares it. Per user, not per token: anyone can mint tokens of their
 * own, so a per-token limit would be no limit at all. Answers with Contentful's
 * X-Contentful-RateLimit-* headers, and 429 `RateLimitExceeded` past the limit.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);
  private readonly limit: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.limit = config.rateLimitPerSecond;
  }

  async consume(userId: string, response: Response): Promise<void> {
    if (this.limit === 0 || this.redis.connection.status !== 'ready') return;
    const second = Math.floor(Date.now() / 1000);
    const key = `${this.redis.prefix}:rate:user:${userId}:${second}`;
    // One command per request (MULTI/INCR/EXPIRE/EXEC were four): every round trip costs the api a deschedule
    // on a busy host (issue 16). The window's key lives two seconds from its first request.
    const counted = this.redis.connection.eval(COUNT_IN_WINDOW, 1, key, 2).then((reply) => Number(reply));
    const count = await settleWithin(counted, LIMITER_TIMEOUT_MS, 0);
    if (count === 0) {
      this.logger.debug({ msg: 'rate limiter unavailable; request let through' });
      return;
    }
    response.setHeader('X-Contentful-RateLimit-Second-Limit', String(this.limit));
    response.setHeader('X-Contentful-RateLimit-Second-Remaining', String(Math.max(0, this.limit - count)));
    if (count > this.limit) {
      // The window is one second: `reset` becomes the Retry-After headers (the exception filter writes them).
      throw new HangarError(
        'RateLimitExceeded',
        `You have exceeded the rate limit of ${this.limit} requests per second for your user (all of its tokens together).`,
        { limit: this.limit, reset: 1 },
      );
    }
  }
}
