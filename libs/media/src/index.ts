export * from './content-sniffing';
export * from './media-inspector.service';
export * from './media.module';
