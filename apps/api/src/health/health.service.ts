import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { RedisService } from '@hangar/queue';
import { StorageService } from '@hangar/storage';

export type DependencyName = 'postgres' | 'redis' | 'minio';
export type Readiness = Record<DependencyName, 'up' | 'down'>;

@Injectable()
export class HealthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly storage: StorageService,
  ) {}

  /** Checks the three dependencies in parallel, each bounded by a short timeout. */
  async readiness(): Promise<Readiness> {
    const [postgres, redis, minio] = await Promise.all([this.prisma.ping(), this.redis.ping(), this.storage.ping()]);
    const state = (up: boolean) => (up ? 'up' : 'down');
    return { postgres: state(postgres), redis: state(redis), minio: state(minio) };
  }
}
