export * from './connection-errors';
export * from './constraint-violations';
export * from './database.module';
export * from './prisma.service';
export { AssetFileStatus, FileAcl, FileExpansionStatus, Prisma, SpaceRole, UploadStatus } from './generated/client';
export type {
  AccessToken,
  Asset,
  AssetFile,
  Environment,
  File,
  FileExpansion,
  FileFolder,
  FileVersion,
  Locale,
  Space,
  SpaceMembership,
  Upload,
  User,
  WebhookCall,
  WebhookDefinition,
  WebhookSigningSecret,
} from './generated/client';
