export * from './storage.module';
export * from './storage.service';
