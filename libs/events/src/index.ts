export * from './domain-event-reader';
export * from './domain-events.service';
export * from './event-topics';
export * from './events.module';
export * from './webhook-signing';
export * from './webhook-topics';
