import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { settleWithin } from '@hangar/domain';

/**
 * Owns the app's Redis connection (BullMQ queues, locks). Feature code goes
 * through this service or the queue service, never through ioredis itself.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisService.name);
  readonly connection: Redis;
  readonly prefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.prefix = config.redis.queuePrefix;
    this.connection = new Redis(config.redis.url, {
      // BullMQ workers need blocking commands without a per-request retry cap.
      maxRetriesPerRequest: null,
      lazyConnect: true,
      connectTimeout: 5_000,
      // After a lost connection ioredis waits this long for a 'close' that never comes before it lets go.
      disconnectTimeout: 250,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    // Without a listener ioredis prints every reconnect failure as an unhandled error.
    this.connection.on('error', (error: Error) => this.logger.debug({ msg: 'redis connection error', reason: error.message }));
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.connection.connect();
      await this.connection.ping();
    } catch (error) {
      this.connection.disconnect();
      throw new Error(`Cannot connect to Redis (REDIS_URL): ${(error as Error).message}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    // QUIT lets queued replies arrive; with no live connection it would wait for a reconnect that may never come.
    if (this.connection.status === 'ready') {
      if (
        await settleWithin(
          this.connection.quit().then(() => true),
          2_000,
          false,
        )
      )
        return;
    }
    this.connection.disconnect();
  }

  /** True when Redis answers PING within `timeoutMs`. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    if (this.connection.status !== 'ready') return false;
    return settleWithin(
      this.connection.ping().then((reply) => reply === 'PONG'),
      timeoutMs,
      false,
    );
  }
}
