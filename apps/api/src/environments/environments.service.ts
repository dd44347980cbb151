import { Injectable } from '@nestjs/common';
import { assetObjectPrefix } from '@hangar/assets';
import { type Environment, PrismaService } from '@hangar/database';
import { HangarError, MASTER_ENVIRONMENT, newId, NotFoundError, VersionMismatchError } from '@hangar/domain';
import { uploadObjectPrefix } from '@hangar/ingest';
import { JobName, OutboxService } from '@hangar/queue';
import type { Page } from '../common/collection';
import { AuthCacheService } from '../auth/auth-cache.service';

@Injectable()
export class EnvironmentsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxService,
    private readonly authCache: AuthCacheService,
  ) {}

  /** A new environment with a generated id (Contentful's `POST …/environments`), a copy of the source's locales. */
  async create(spaceId: string, name: string, sourceId = MASTER_ENVIRONMENT): Promise<Environment> {
    return (await this.put(spaceId, newId(), name, undefined, sourceId)).environment;
  }

  /**
   * Deletes an environment other than `master` with everything in it: its
   * rows go now, in one transaction (locales, uploads, assets and their files
   * cascade), and a job removes its stored objects (the orphan sweeper would
   * too: no row owns them any more).
   */
  async delete(spaceId: string, environmentId: string): Promise<void> {
    if (environmentId === MASTER_ENVIRONMENT) {
      throw new HangarError('BadRequest', 'The master environment cannot be deleted; delete the space instead.', { id: environmentId });
    }
    const message = await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.environment.deleteMany({ where: { spaceId, id: environmentId } });
      if (count === 0) throw new NotFoundError('Environment', environmentId);
      return this.outbox.stage(tx, JobName.RemoveStoredObjects, {
        spaceId,
        environmentId,
        removalId: newId(),
        prefixes: [uploadObjectPrefix(spaceId, environmentId), assetObjectPrefix(spaceId, environmentId)],
      });
    });
    // Requests naming it must find it gone at once.
    await this.authCache.invalidate();
    await this.outbox.dispatchNow([message]);
  }

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
