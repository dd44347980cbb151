export * from './ingest-errors';
export * from './ingest.module';
export * from './metered-stream';
export * from './upload-cleanup.service';
export * from './upload-entity';
export * from './upload-keys';
export * from './upload-session.service';
export * from './uploads.service';
