export * from './content-sniffing';
export * from './delivery-headers';
export * from './face-detector';
export * from './media-inspector.service';
export * from './media.module';
