export * from './storage-errors';
export * from './storage.module';
export * from './storage.service';
export * from './object-ownership.registry';
