import { Injectable, Logger } from '@nestjs/common';
import { assetObjectKey } from '@hangar/assets';
import { type Asset, type Prisma, PrismaService } from '@hangar/database';
import { HangarError, newId, NotFoundError, type ValidationErrorDetail, ValidationFailedError, VersionMismatchError } from '@hangar/domain';
import { JobName, OutboxService } from '@hangar/queue';
import { StorageService } from '@hangar/storage';
import type { Principal } from '../auth/principal';
import type { EnvironmentTarget } from '../common/environment-target';
import { type AssetFieldsInput, isProcessed, type StoredFields } from './asset-fields';
import { AssetFieldsResolver } from './asset-fields.resolver';
import type { AssetQuery } from './asset-query';
import type { AssetWithFiles } from './asset.resource';

function badRequest(message: string): HangarError {
  return new HangarError('BadRequest', message);
}

@Injectable()
export class AssetsService {
  private readonly logger = new Logger(AssetsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
    private readonly outbox: OutboxService,
    private readonly resolver: AssetFieldsResolver,
  ) {}

  async get(target: EnvironmentTarget, assetId: string): Promise<AssetWithFiles> {
    const asset = await this.prisma.asset.findUnique({
      where: { spaceId_environmentId_id: { ...target, id: assetId } },
      include: { files: true },
    });
    if (!asset) throw new NotFoundError('Asset', assetId);
    return asset;
  }

  async list(target: EnvironmentTarget, query: AssetQuery): Promise<{ items: AssetWithFiles[]; total: number }> {
    const where: Prisma.AssetWhereInput = { ...target, ...query.where };
    const [items, total] = await Promise.all([
      this.prisma.asset.findMany({
        where,
        orderBy: query.orderBy,
        skip: query.page.skip,
        take: query.page.limit,
        include: { files: true },
      }),
      this.prisma.asset.count({ where }),
    ]);
    return { items, total };
  }

  async create(target: EnvironmentTarget, principal: Principal, input: AssetFieldsInput, assetId = newId()): Promise<AssetWithFiles> {
    const resolved = await this.resolver.resolve(target, input, undefined);
    try {
      return await this.prisma.asset.create({
        data: {
          ...target,
          id: assetId,
          ...resolved,
          fields: resolved.fields as Prisma.InputJsonValue,
          createdById: principal.userId,
          updatedById: principal.userId,
        },
        include: { files: true },
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') throw new VersionMismatchError(1);
      throw error;
    }
  }

  /** PUT: creates with the chosen id, or replaces the whole body at the expected version. */
  async put(
    target: EnvironmentTarget,
    principal: Principal,
    assetId: string,
    input: AssetFieldsInput,
    expectedVersion: number | undefined,
  ): Promise<{ asset: AssetWithFiles; created: boolean }> {
    const existing = await this.prisma.asset.findUnique({ where: { spaceId_environmentId_id: { ...target, id: assetId } } });
    if (!existing) {
      if (expectedVersion !== undefined) throw new NotFoundError('Asset', assetId);
      return { asset: await this.create(target, principal, input, assetId), created: true };
    }
    this.expectVersion(existing, expectedVersion);
    if (existing.archivedVersion !== null) throw badRequest('An archived asset cannot be changed; unarchive it first.');
    const resolved = await this.resolver.resolve(target, input, existing.fields as StoredFields);
    const asset = await this.update(existing, {
      ...resolved,
      fields: resolved.fields as Prisma.InputJsonValue,
      updatedById: principal.userId,
      updatedAt: new Date(),
    });
    return { asset, created: false };
  }

  /** Deletes an unpublished asset and its stored files. */
  async delete(target: EnvironmentTarget, assetId: string, expectedVersion: number | undefined): Promise<void> {
    const asset = await this.get(target, assetId);
    this.expectVersionIfGiven(asset, expectedVersion);
    if (asset.publishedVersion !== null) throw badRequest('A published asset cannot be deleted; unpublish it first.');
    const { count } = await this.prisma.asset.deleteMany({ where: { ...target, id: assetId, version: asset.version } });
    if (count === 0) throw new VersionMismatchError(asset.version);
    const keys = (asset.files ?? []).map((file) => file.objectKey);
    await this.storage.removeMany(keys).catch((error: unknown) => {
      // The orphan sweeper removes objects no row owns.
      this.logger.warn({ msg: 'could not remove the files of a deleted asset', assetId, reason: (error as Error).message });
    });
  }

  /**
   * Records a process request for one locale and hands it to the worker.
   * Several locales may be processed at the same version (the SDK's
   * processForAllLocales does so); a processed locale is a no-op.
   */
  async process(target: EnvironmentTarget, assetId: string, locale: string, expectedVersion: number | undefined): Promise<void> {
    const asset = await this.get(target, assetId);
    this.expectVersion(asset, expectedVersion);
    if (asset.archivedVersion !== null) throw badRequest('An archived asset cannot be processed; unarchive it first.');
    const file = (asset.fields as StoredFields).file?.[locale];
    if (!file) {
      throw new ValidationFailedError([
        { name: 'required', path: ['fields', 'file', locale], details: `The asset has no file for locale ${locale}.` },
      ]);
    }
    if (isProcessed(file)) return;

    const uploadId = file.uploadFrom.sys.id;
    const previous = asset.files?.find((candidate) => candidate.locale === locale);
    const sameRequest =
      previous && previous.uploadId === uploadId && previous.requestedVersion === asset.version && previous.status === 'processing';
    const token = newId();
    const request = {
      status: 'processing' as const,
      requestedVersion: asset.version,
      uploadId,
      token,
      objectKey: assetObjectKey(target.spaceId, target.environmentId, assetId, locale, token),
      fileName: file.fileName,
      contentType: null,
      size: null,
      sha256: null,
      width: null,
      height: null,
      failureReason: null,
      attempts: 0,
    };
    // The request and its job commit together (outbox): the call succeeds even while Redis is down.
    const message = await this.prisma.$transaction(async (tx) => {
      if (!sameRequest) {
        await tx.assetFile.upsert({
          where: { spaceId_environmentId_assetId_locale: { ...target, assetId, locale } },
          create: { ...target, assetId, locale, ...request },
          update: request,
        });
      }
      return this.outbox.stage(tx, JobName.ProcessAssetFile, { ...target, assetId, locale, version: asset.version });
    });
    // The locale's earlier file is no longer referenced by the asset.
    if (previous && !sameRequest) await this.storage.remove(previous.objectKey).catch(() => undefined);
    await this.outbox.dispatchNow([message]);
  }

  async publish(
    target: EnvironmentTarget,
    principal: Principal,
    assetId: string,
    expectedVersion: number | undefined,
  ): Promise<AssetWithFiles> {
    const asset = await this.get(target, assetId);
    this.expectVersion(asset, expectedVersion);
    if (asset.archivedVersion !== null) throw badRequest('An archived asset cannot be published; unarchive it first.');
    const files = (asset.fields as StoredFields).file ?? {};
    const errors: ValidationErrorDetail[] = Object.entries(files)
      .filter(([, file]) => !isProcessed(file))
      .map(([locale]) => ({
        name: 'required',
        path: ['fields', 'file', locale, 'url'],
        details: `The file of locale ${locale} has not been processed yet.`,
      }));
    if (Object.keys(files).length === 0)
      errors.push({ name: 'required', path: ['fields', 'file'], details: 'An asset needs a file to be published.' });
    if (errors.length > 0) throw new ValidationFailedError(errors);
    const now = new Date();
    return this.update(asset, {
      publishedVersion: asset.version,
      publishedAt: now,
      publishedById: principal.userId,
      publishedCounter: { increment: 1 },
      firstPublishedAt: asset.firstPublishedAt ?? now,
    });
  }

  async unpublish(target: EnvironmentTarget, assetId: string, expectedVersion: number | undefined): Promise<AssetWithFiles> {
    const asset = await this.get(target, assetId);
    this.expectVersionIfGiven(asset, expectedVersion);
    if (asset.publishedVersion === null) throw badRequest('The asset is not published.');
    return this.update(asset, { publishedVersion: null, publishedAt: null, publishedById: null });
  }

  async archive(
    target: EnvironmentTarget,
    principal: Principal,
    assetId: string,
    expectedVersion: number | undefined,
  ): Promise<AssetWithFiles> {
    const asset = await this.get(target, assetId);
    this.expectVersionIfGiven(asset, expectedVersion);
    if (asset.archivedVersion !== null) throw badRequest('The asset is already archived.');
    if (asset.publishedVersion !== null) throw badRequest('A published asset cannot be archived; unpublish it first.');
    return this.update(asset, { archivedVersion: asset.version, archivedAt: new Date(), archivedById: principal.userId });
  }

  async unarchive(target: EnvironmentTarget, assetId: string, expectedVersion: number | undefined): Promise<AssetWithFiles> {
    const asset = await this.get(target, assetId);
    this.expectVersionIfGiven(asset, expectedVersion);
    if (asset.archivedVersion === null) throw badRequest('The asset is not archived.');
    return this.update(asset, { archivedVersion: null, archivedAt: null, archivedById: null });
  }

  /** Changes to content (update, process, publish) must name the version they were made against. */
  private expectVersion(asset: Asset, expected: number | undefined): void {
    if (expected !== asset.version) throw new VersionMismatchError(asset.version);
  }

  /**
   * Unpublish, archive, unarchive and delete take the version if the client
   * sends one; the Contentful SDK sends none for them, and Contentful accepts that.
   */
  private expectVersionIfGiven(asset: Asset, expected: number | undefined): void {
    if (expected !== undefined) this.expectVersion(asset, expected);
  }

  /** Applies a change and bumps the version, if nobody changed the asset since it was read (else 409). */
  private async update(asset: Asset, data: Prisma.AssetUpdateManyMutationInput): Promise<AssetWithFiles> {
    const key = { spaceId: asset.spaceId, environmentId: asset.environmentId, id: asset.id };
    const { count } = await this.prisma.asset.updateMany({
      where: { ...key, version: asset.version },
      data: { ...data, version: { increment: 1 } },
    });
    if (count === 0) {
      const current = await this.prisma.asset.findUnique({ where: { spaceId_environmentId_id: key }, select: { version: true } });
      if (!current) throw new NotFoundError('Asset', asset.id);
      throw new VersionMismatchError(current.version);
    }
    return this.prisma.asset.findUniqueOrThrow({ where: { spaceId_environmentId_id: key }, include: { files: true } });
  }
}
