export * from './upload-cleanup.service';
export * from './upload-keys';
export * from './uploads.module';
