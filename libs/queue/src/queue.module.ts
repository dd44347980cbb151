import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';
import { QueueService } from './queue.service';
import { RoundLockService } from './round-lock.service';

@Global()
@Module({ providers: [RedisService, RoundLockService, QueueService], exports: [RedisService, RoundLockService, QueueService] })
export class QueueModule {}
