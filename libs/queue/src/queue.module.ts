import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';
import { OutboxService } from './outbox.service';
import { QueueService } from './queue.service';
import { RoundLockService } from './round-lock.service';

@Global()
@Module({
  providers: [RedisService, RoundLockService, QueueService, OutboxService],
  exports: [RedisService, RoundLockService, QueueService, OutboxService],
})
export class QueueModule {}
