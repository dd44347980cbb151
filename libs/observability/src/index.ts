export * from './structured-logger';
export * from './json-logger';
export * from './pretty-logger';
export * from './create-logger';
export * from './request-context';
export * from './graceful-shutdown';
export * from './metrics';
