export * from './job-contracts';
export * from './queue.service';
export * from './queue.module';
export * from './redis.service';
export * from './round-lock.service';
export * from './outbox.service';
export * from './job-handler';
export * from './job-workers.service';
