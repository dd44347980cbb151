import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';
import { RoundLockService } from './round-lock.service';

@Global()
@Module({ providers: [RedisService, RoundLockService], exports: [RedisService, RoundLockService] })
export class QueueModule {}
