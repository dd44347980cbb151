export * from './queue.module';
export * from './redis.service';
