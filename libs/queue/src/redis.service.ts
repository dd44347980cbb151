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

  /**
   * Listens to the channel `name` (under the queue prefix, so checkouts sharing a Redis do not hear each other):
   * `onMessage` for each message; `onConnected` whenever the subscription is (re)established, since messages
   * published while it was down are lost. Returns what ends it.
   */
  async subscribe(name: string, onMessage: (message: string) => void, onConnected: () => void): Promise<() => void> {
    const subscriber = this.connection.duplicate({ lazyConnect: true });
    subscriber.on('error', (error: Error) => this.logger.debug({ msg: 'redis subscription error', channel: name, reason: error.message }));
    subscriber.on('message', (_channel: string, message: string) => onMessage(message));
    subscriber.on('ready', onConnected);
    await subscriber.connect();
    await subscriber.subscribe(this.channelOf(name));
    return () => subscriber.disconnect();
  }

  /** Publishes `message` on the channel `name` (see {@link subscribe}). */
  async publish(name: string, message: string): Promise<void> {
    await this.connection.publish(this.channelOf(name), message);
  }

  private channelOf(name: string): string {
    return `${this.prefix}:${name}`;
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
