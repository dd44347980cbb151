export * from './errors';
export * from './ids';
export * from './links';
export * from './timeout';
export * from './environment-target';
