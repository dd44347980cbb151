export * from './connection-errors';
export * from './database.module';
export * from './prisma.service';
export { Prisma, SpaceRole, UploadStatus } from './generated/client';
export type { AccessToken, Environment, Locale, Space, SpaceMembership, Upload, User } from './generated/client';
