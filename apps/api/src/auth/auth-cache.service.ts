import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { RedisService } from '@hangar/queue';

/** Entries kept at most; past it the oldest go (a Map iterates in insertion order). */
const MAX_ENTRIES = 10_000;
/** Where api processes tell each other that access was taken away. */
const CHANNEL = 'auth-changed';

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * What authentication looked up, kept for AUTH_CACHE_SECONDS so a busy client
 * does not cost two PostgreSQL round trips (its token, its role in the space)
 * on every request. Only grants are kept — a live token, a membership with
 * the environment it named existing — never a refusal, so whatever GIVES
 * access (a new token, membership, space or environment) works at once.
 * Whatever TAKES it away (a token revoked, a membership removed, a space or
 * environment deleted, an administrator's token replaced) calls
 * {@link invalidate} once committed: this process forgets everything at
 * once, and every other api process within milliseconds (Redis pub/sub); a
 * process that lost its subscription forgets everything when it is back, and
 * nothing outlives AUTH_CACHE_SECONDS whatever happens.
 */
@Injectable()
export class AuthCacheService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AuthCacheService.name);
  private readonly ttlMs: number;
  private readonly entries = new Map<string, Entry<unknown>>();
  /** Bumped by every invalidation: a lookup that began before one must not keep what it read. */
  private generation = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.ttlMs = config.authCacheSeconds * 1000;
  }

  async onModuleInit(): Promise<void> {
    if (this.ttlMs === 0) return;
    // Messages sent while the subscription was down are lost: whatever was kept then may be stale.
    this.unsubscribe = await this.redis.subscribe(
      CHANNEL,
      () => this.forget(),
      () => this.forget(),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** The kept value of `key`, or what `load` finds (kept when `keep` says it may be). */
  async through<T>(key: string, load: () => Promise<T>, keep: (value: T) => boolean): Promise<T> {
    if (this.ttlMs === 0) return load();
    const now = Date.now();
    const kept = this.entries.get(key) as Entry<T> | undefined;
    if (kept !== undefined && kept.expiresAt > now) return kept.value;
    const generation = this.generation;
    const value = await load();
    // Not when access was taken away while it loaded: what it read may be from before.
    if (keep(value) && generation === this.generation) this.remember(key, value, now);
    return value;
  }

  /** Access was taken away: forget everything here, and tell every other api process. */
  async invalidate(): Promise<void> {
    if (this.ttlMs === 0) return;
    this.forget();
    await this.redis.publish(CHANNEL, '1').catch((error: unknown) => {
      // The others forget within AUTH_CACHE_SECONDS anyway.
      this.logger.warn({ msg: 'could not tell other api processes that access changed', reason: (error as Error).message });
    });
  }

  private forget(): void {
    this.generation += 1;
    this.entries.clear();
  }

  private remember(key: string, value: unknown, now: number): void {
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, expiresAt: now + this.ttlMs });
  }
}
