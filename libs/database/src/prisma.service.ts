import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { settleWithin } from '@hangar/domain';
import { PrismaClient } from './generated/client';
import { describeConnectionError, redactUrl } from './connection-errors';

/** The one Prisma client of an app, over node-postgres (no native engine). */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PrismaService.name);
  private readonly displayUrl: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      adapter: new PrismaPg({
        connectionString: config.database.url,
        max: config.database.poolSize,
        connectionTimeoutMillis: 5_000,
        // A statement that hangs (lock wait, dead server) must not hold a request forever.
        statement_timeout: 30_000,
      }),
    });
    this.displayUrl = redactUrl(config.database.url);
  }

  /** Fails boot with one clear line when PostgreSQL cannot be reached. */
  async onModuleInit(): Promise<void> {
    try {
      await this.$queryRawUnsafe('SELECT 1');
    } catch (error) {
      throw new Error(`Cannot connect to PostgreSQL at ${this.displayUrl} (DATABASE_URL): ${describeConnectionError(error)}`);
    }
    this.logger.log({ msg: 'connected to PostgreSQL', database: this.displayUrl });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }

  /** True when a trivial query answers within `timeoutMs`. */
  async ping(timeoutMs = 2_000): Promise<boolean> {
    return settleWithin(
      this.$queryRawUnsafe('SELECT 1').then(() => true),
      timeoutMs,
      false,
    );
  }
}
