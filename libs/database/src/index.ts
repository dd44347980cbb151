export * from './connection-errors';
export * from './database.module';
export * from './prisma.service';
export { Prisma, SpaceRole } from './generated/client';
export type { AccessToken, Environment, Locale, Space, SpaceMembership, User } from './generated/client';
