import { Injectable } from '@nestjs/common';
import { type Environment, PrismaService } from '@hangar/database';
import { MASTER_ENVIRONMENT, NotFoundError, VersionMismatchError } from '@hangar/domain';
import type { Page } from '../common/collection';

@Injectable()
export class EnvironmentsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(spaceId: string, page: Page): Promise<{ items: Environment[]; total: number }> {
    const [items, total] = await Promise.all([
      this.prisma.environment.findMany({ where: { spaceId }, orderBy: { createdAt: 'asc' }, skip: page.skip, take: page.limit }),
      this.prisma.environment.count({ where: { spaceId } }),
    ]);
    return { items, total };
  }

  /** The environment, or 404 `NotFound`. */
  async get(spaceId: string, environmentId: string): Promise<Environment> {
    const environment = await this.prisma.environment.findUnique({ where: { spaceId_id: { spaceId, id: environmentId } } });
    if (!environment) throw new NotFoundError('Environment', environmentId);
    return environment;
  }

  /**
   * Creates the environment as a copy of the source's locales (Contentful
   * copies `master` unless told otherwise), or renames an existing one when
   * the client sends its current version.
   */
  async put(
    spaceId: string,
    environmentId: string,
    name: string,
    expectedVersion: number | undefined,
    sourceId = MASTER_ENVIRONMENT,
  ): Promise<{ environment: Environment; created: boolean }> {
    return this.prisma.$transaction(async (tx) => {
      const existing = await tx.environment.findUnique({ where: { spaceId_id: { spaceId, id: environmentId } } });
      if (existing) {
        if (expectedVersion !== existing.version) throw new VersionMismatchError(existing.version);
        const environment = await tx.environment.update({
          where: { spaceId_id: { spaceId, id: environmentId } },
          data: { name, version: { increment: 1 } },
        });
        return { environment, created: false };
      }
      const source = await tx.environment.findUnique({
        where: { spaceId_id: { spaceId, id: sourceId } },
        include: { locales: true },
      });
      if (!source) throw new NotFoundError('Environment', sourceId);
      const environment = await tx.environment.create({ data: { spaceId, id: environmentId, name } });
      await tx.locale.createMany({
        data: source.locales.map(({ createdAt: _createdAt, updatedAt: _updatedAt, version: _version, ...locale }) => ({
          ...locale,
          environmentId,
        })),
      });
      return { environment, created: true };
    });
  }
}
