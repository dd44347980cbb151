export * from './asset-files';
