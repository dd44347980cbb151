import { Injectable } from '@nestjs/common';
import { assetObjectPrefix } from '@hangar/assets';
import { type Prisma, PrismaService, type Space, SpaceRole } from '@hangar/database';
import { MASTER_ENVIRONMENT, newId, NotFoundError } from '@hangar/domain';
import { fileObjectPrefix } from '@hangar/files';
import { uploadObjectPrefix } from '@hangar/ingest';
import { renditionSpacePrefix } from '@hangar/media';
import { JobName, OutboxService } from '@hangar/queue';
import { AuthCacheService } from '../auth/auth-cache.service';
import type { Principal } from '../auth/principal';
import type { Page } from '../common/collection';
import { localeNameOf } from '../locales/locale-code';

/** Contentful's default locale of a new space, when its creator names none. */
const DEFAULT_LOCALE_CODE = 'en-US';

@Injectable()
export class SpacesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxService,
    private readonly authCache: AuthCacheService,
  ) {}

  /** A space with its `master` environment, its default locale (`en-US` unless told otherwise), and its creator as manager. */
  async create(principal: Principal, name: string, defaultLocale: string = DEFAULT_LOCALE_CODE): Promise<Space> {
    const spaceId = newId();
    return this.prisma.$transaction(async (tx) => {
      const space = await tx.space.create({ data: { id: spaceId, name, createdById: principal.userId } });
      await tx.environment.create({ data: { spaceId, id: MASTER_ENVIRONMENT, name: MASTER_ENVIRONMENT } });
      await tx.locale.create({
        data: {
          spaceId,
          environmentId: MASTER_ENVIRONMENT,
          id: newId(),
          code: defaultLocale,
          name: localeNameOf(defaultLocale),
          isDefault: true,
        },
      });
      await tx.spaceMembership.create({
        data: { id: newId(), spaceId, userId: principal.userId, role: SpaceRole.manager },
      });
      return space;
    });
  }

  /** Spaces the principal belongs to (every space for an administrator); a token bound to a space sees that one only. */
  async list(principal: Principal, page: Page): Promise<{ items: Space[]; total: number }> {
    const where: Prisma.SpaceWhereInput = {
      ...(principal.isAdmin ? {} : { memberships: { some: { userId: principal.userId } } }),
      ...(principal.boundSpaceId === undefined ? {} : { id: principal.boundSpaceId }),
    };
    const [items, total] = await Promise.all([
      this.prisma.space.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip: page.skip, take: page.limit }),
      this.prisma.space.count({ where }),
    ]);
    return { items, total };
  }

  /** The space; the auth guard has already checked that it exists and the caller may see it. */
  async get(spaceId: string): Promise<Space> {
    return this.prisma.space.findUniqueOrThrow({ where: { id: spaceId } });
  }

  /**
   * Deletes a space with everything in it: its rows go now, in one
   * transaction (environments, locales, uploads, assets, files, folders,
   * expansions and memberships cascade), and a job removes its stored objects
   * (the orphan sweeper would too: no row owns them any more).
   */
  async delete(spaceId: string): Promise<void> {
    const message = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.space.deleteMany({ where: { id: spaceId } });
      if (count === 0) throw new NotFoundError('Space', spaceId);
      return this.outbox.stage(tx, JobName.RemoveStoredObjects, {
        spaceId,
        removalId: newId(),
        prefixes: [uploadObjectPrefix(spaceId), assetObjectPrefix(spaceId), fileObjectPrefix(spaceId), renditionSpacePrefix(spaceId)],
      });
    });
    // Its members' access went with it.
    await this.authCache.invalidate();
    await this.outbox.dispatchNow([message]);
  }
}
