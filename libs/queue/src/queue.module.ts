import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';
import { OutboxService } from './outbox.service';
import { QueueService } from './queue.service';
import { RoundLockService } from './round-lock.service';
import { SlotSemaphoreService } from './slot-semaphore.service';

@Global()
@Module({
  providers: [RedisService, RoundLockService, SlotSemaphoreService, QueueService, OutboxService],
  exports: [RedisService, RoundLockService, SlotSemaphoreService, QueueService, OutboxService],
})
export class QueueModule {}
