import { Injectable, Logger } from '@nestjs/common';
import { type Asset, type AssetFile, constraintViolationOf, Prisma, PrismaService } from '@hangar/database';
import {
  type EnvironmentTarget,
  HangarError,
  newId,
  NotFoundError,
  type ValidationErrorDetail,
  ValidationFailedError,
  VersionMismatchError,
} from '@hangar/domain';
import { DomainEventsService, EventTopic } from '@hangar/events';
import { BlobStore } from '@hangar/ingest';
import { RenditionsService } from '@hangar/media';
import { JobName, OutboxService, type StagedMessage } from '@hangar/queue';
import { type AssetFieldsInput, fieldsOf, fileOf, isProcessed, sourceOf, stillWaitsFor } from './asset-fields';
import { AssetFieldsValidator, storedFields } from './asset-fields.validator';
import { assetEvent, type AssetWithFiles } from './asset-entity';
import { assetObjectKey } from './asset-keys';
import {
  type AssetOrderColumn,
  type AssetOrderTerm,
  type CursorKey,
  decodeCursor,
  encodeCursor,
  keyOf,
  keysetSegments,
  prismaOrder,
  queryFingerprint,
  readingOrder,
} from './asset-cursor';
import { type AssetView, localeChainOf, parseSelect } from './asset-view';
import { renderedAssets } from './asset-json';

/** Which asset collection a query reads: the drafts (management) or the published snapshots (`…/public/assets`). */
export type AssetCollection = 'management' | 'published';

/** An offset page (`skip`/`limit`, with the collection's `total`) or a cursor page (`cursor=true`, then a token). */
export type AssetPageRequest =
  | { readonly kind: 'offset'; readonly skip: number; readonly limit: number }
  | {
      readonly kind: 'cursor';
      readonly limit: number;
      readonly token?: { readonly parameter: 'pageNext' | 'pagePrev'; readonly value: string };
    };

/**
 * A page of an asset collection (the api translates Contentful's query): the
 * filters as Prisma takes them, with a canonical text of them (`filterKey`,
 * what a cursor token is bound to), and the order, which ends with `id`.
 */
export interface AssetQuery {
  readonly collection: AssetCollection;
  readonly page: AssetPageRequest;
  readonly where: Prisma.AssetWhereInput;
  readonly filterKey: string;
  readonly order: readonly AssetOrderTerm[];
}

/** A page's rows, with the collection's total (offset pages) or the tokens of the pages around it (cursor pages). */
export interface AssetPage {
  readonly items: AssetWithFiles[];
  readonly total?: number;
  readonly pages?: { readonly next?: string; readonly prev?: string };
}

/** A page whose items are their entities' JSON text (AssetsService.listRendered). */
export interface RenderedAssetPage extends Omit<AssetPage, 'items'> {
  readonly items: string[];
}

/** What paging reads of each row when the rows themselves are rendered apart: its id and its cursor key's columns. */
const PAGE_KEY_COLUMNS = {
  id: true,
  createdAt: true,
  updatedAt: true,
  version: true,
  title: true,
  contentType: true,
  publishedAt: true,
  publishedVersion: true,
  publishedTitle: true,
  publishedContentType: true,
} satisfies Record<AssetOrderColumn, true>;

type PageKey = Pick<Asset, AssetOrderColumn>;

function badRequest(message: string): HangarError {
  return new HangarError('BadRequest', message);
}

/**
 * Assets: their fields, versions and lifecycle (create, save, process,
 * publish, unpublish, archive, unarchive, delete). Every change commits with
 * its domain event; a process request also commits its job (outbox).
 */
@Injectable()
export class AssetsService {
  private readonly logger = new Logger(AssetsService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly outbox: OutboxService,
    private readonly events: DomainEventsService,
    private readonly validator: AssetFieldsValidator,
    private readonly renditions: RenditionsService,
    private readonly blobs: BlobStore,
  ) {}

  async get(target: EnvironmentTarget, assetId: string): Promise<AssetWithFiles> {
    const asset = await this.prisma.asset.findUnique({
      where: { spaceId_environmentId_id: { ...target, id: assetId } },
      include: { files: true },
    });
    if (!asset) throw new NotFoundError('Asset', assetId);
    return asset;
  }

  /**
   * A page of the management collection (every asset, as drafted) or the
   * published one (published assets only; the caller shows their snapshots).
   * Cursor pages are keyset reads on the order's index: no `skip` cost at any
   * depth, and no count.
   */
  async list(target: EnvironmentTarget, query: AssetQuery): Promise<AssetPage> {
    return this.page(target, query, (args) => this.prisma.asset.findMany({ ...args, include: { files: true } }));
  }

  /**
   * The same page with each asset as the JSON text of its entity (management
   * or published), rendered by PostgreSQL (asset-json.ts): for reads in the
   * default view, which show entities as they are.
   */
  async listRendered(target: EnvironmentTarget, query: AssetQuery): Promise<RenderedAssetPage> {
    const page = await this.page(target, query, (args) => this.prisma.asset.findMany({ ...args, select: PAGE_KEY_COLUMNS }));
    const items = await renderedAssets(
      this.prisma,
      target,
      query.collection,
      page.items.map((row) => row.id),
    );
    return { ...page, items };
  }

  private async page<Row extends PageKey>(
    target: EnvironmentTarget,
    query: AssetQuery,
    read: (args: {
      where: Prisma.AssetWhereInput;
      orderBy: Prisma.AssetOrderByWithRelationInput[];
      skip?: number;
      take: number;
    }) => Promise<Row[]>,
  ): Promise<{ items: Row[]; total?: number; pages?: { next?: string; prev?: string } }> {
    const where: Prisma.AssetWhereInput = {
      AND: [target, query.where, ...(query.collection === 'published' ? [{ publishedVersion: { not: null } }] : [])],
    };
    const { page } = query;
    if (page.kind === 'offset') {
      const [items, total] = await Promise.all([
        read({ where, orderBy: prismaOrder(query.order), skip: page.skip, take: page.limit }),
        query.filterKey === '' ? this.collectionSize(target, query.collection) : this.prisma.asset.count({ where }),
      ]);
      return { items, total };
    }
    const fingerprint = queryFingerprint(query.collection, query.filterKey, query.order);
    const cursor = page.token ? decodeCursor(page.token.parameter, page.token.value, query.order, fingerprint) : undefined;
    const direction = cursor?.direction ?? 'next';
    const order = readingOrder(query.order, direction);
    const segments = cursor ? keysetSegments(order, cursor.key, cursor.inclusive) : [{}];
    const rows: Row[] = [];
    // One more row than the page holds tells whether there is more that way.
    for (const segment of segments) {
      if (rows.length > page.limit) break;
      rows.push(...(await read({ where: { AND: [where, segment] }, orderBy: prismaOrder(order), take: page.limit + 1 - rows.length })));
    }
    const more = rows.length > page.limit;
    const onPage = rows.slice(0, page.limit);
    const items = direction === 'next' ? onPage : onPage.reverse();
    const token = (to: 'next' | 'prev', key: CursorKey, inclusive = false) => encodeCursor({ direction: to, key, inclusive }, fingerprint);
    const first = items[0];
    const last = items.at(-1);
    const pages: { next?: string; prev?: string } = {};
    // Past the page's last row, if there is more that way (or if this page was reached backwards: what it came from).
    if (direction === 'next' ? more : cursor !== undefined) {
      pages.next = last ? token('next', keyOf(last, query.order)) : cursor && token('next', cursor.key, true);
    }
    if (direction === 'prev' ? more : cursor !== undefined) {
      pages.prev = first ? token('prev', keyOf(first, query.order)) : cursor && token('prev', cursor.key, true);
    }
    return { items, pages };
  }

  /**
   * How many assets a whole collection holds, exactly: the counts PostgreSQL keeps per environment in the
   * transaction of every insert, delete and publish-state change (AssetCount), instead of counting the rows.
   */
  private async collectionSize(target: EnvironmentTarget, collection: AssetCollection): Promise<number> {
    const { _sum } = await this.prisma.assetCount.aggregate({ where: target, _sum: { assets: true, published: true } });
    return Number((collection === 'published' ? _sum.published : _sum.assets) ?? 0);
  }

  /** The view a read asks for: one locale (with its fallback chain; an unknown code is a 400) or all, and a selection. */
  async view(target: EnvironmentTarget, locale: string | undefined, select: string | undefined): Promise<AssetView> {
    return {
      ...(locale !== undefined && locale !== '*'
        ? { locale: { code: locale, chain: await localeChainOf(this.prisma, target, locale) } }
        : {}),
      ...(select !== undefined ? { select: parseSelect(select) } : {}),
    };
  }

  async create(target: EnvironmentTarget, actorId: string, input: AssetFieldsInput, assetId = newId()): Promise<AssetWithFiles> {
    const validated = await this.validator.validate(target, input, undefined);
    try {
      return await this.prisma.$transaction(async (tx) => {
        const created = await tx.asset.create({
          data: { ...target, id: assetId, ...storedFields(validated), createdById: actorId, updatedById: actorId },
        });
        // A new asset has no processed or pending files yet: nothing to read back.
        const asset = { ...created, files: [] };
        await this.events.stage(tx, assetEvent(EventTopic.AssetCreate, asset, actorId));
        return asset;
      });
    } catch (error) {
      const violation = constraintViolationOf(error);
      // The id was taken meanwhile: the asset exists at version 1 (at least), not at "none".
      if (violation?.kind === 'unique') throw new VersionMismatchError(1);
      // The environment went away between validation and insert.
      if (violation?.kind === 'foreign-key') throw new NotFoundError('Environment', target.environmentId);
      throw error;
    }
  }

  /** PUT: creates with the chosen id, or replaces the whole body at the expected version. */
  async put(
    target: EnvironmentTarget,
    actorId: string,
    assetId: string,
    input: AssetFieldsInput,
    expectedVersion: number | undefined,
  ): Promise<{ asset: AssetWithFiles; created: boolean }> {
    const existing = await this.prisma.asset.findUnique({ where: { spaceId_environmentId_id: { ...target, id: assetId } } });
    if (!existing) {
      if (expectedVersion !== undefined) throw new NotFoundError('Asset', assetId);
      return { asset: await this.create(target, actorId, input, assetId), created: true };
    }
    expectVersion(existing, expectedVersion);
    if (existing.archivedVersion !== null) throw badRequest('An archived asset cannot be changed; unarchive it first.');
    const validated = await this.validator.validate(target, input, fieldsOf(existing));
    const asset = await this.update(existing, EventTopic.AssetSave, actorId, {
      ...storedFields(validated),
      updatedById: actorId,
      updatedAt: new Date(),
    });
    return { asset, created: false };
  }

  /** Deletes an unpublished asset and its stored files. */
  async delete(target: EnvironmentTarget, actorId: string, assetId: string, expectedVersion: number | undefined): Promise<void> {
    const asset = await this.get(target, assetId);
    expectVersionIfGiven(asset, expectedVersion);
    if (asset.publishedVersion !== null) throw badRequest('A published asset cannot be deleted; unpublish it first.');
    await this.prisma.$transaction(async (tx) => {
      const { count } = await tx.asset.deleteMany({ where: { ...target, id: assetId, version: asset.version } });
      if (count === 0) throw goneOrChanged(assetId, await lockedVersion(tx, { ...target, id: assetId }));
      await this.events.stage(tx, assetEvent(EventTopic.AssetDelete, asset, actorId));
    });
    await this.removeObjects(asset.files ?? []);
  }

  /**
   * Records a process request for one locale and hands it to the worker.
   * Several locales may be processed at the same version (the SDK's
   * processForAllLocales does so); a processed locale is a no-op.
   */
  async requestProcessing(
    target: EnvironmentTarget,
    actorId: string,
    assetId: string,
    locale: string,
    expectedVersion: number | undefined,
  ): Promise<void> {
    const asset = await this.get(target, assetId);
    if (completedRequestAt(asset, locale, expectedVersion)) return;
    expectVersion(asset, expectedVersion);
    if (asset.archivedVersion !== null) throw badRequest('An archived asset cannot be processed; unarchive it first.');
    const file = fileOf(fieldsOf(asset), locale);
    if (!file) {
      throw new ValidationFailedError([
        { name: 'required', path: ['fields', 'file', locale], details: `The asset has no file for locale ${locale}.` },
      ]);
    }
    if (isProcessed(file)) return;

    const source = sourceOf(file);
    const previous = asset.files?.find((candidate) => candidate.locale === locale);
    const sameRequest =
      previous && stillWaitsFor(file, previous) && previous.requestedVersion === asset.version && previous.status === 'processing';
    // The token and key are chosen now, so a retried job writes the same object: one request, one result.
    const token = newId();
    const request: FileRequest = {
      status: 'processing',
      requestedVersion: asset.version,
      ...source,
      token,
      objectKey: assetObjectKey(target.spaceId, target.environmentId, assetId, locale, token),
      // The file it replaces lets its blob go (a trigger counts it); processing references the new bytes' blob.
      blobKey: null,
      fileName: file.fileName,
      contentType: null,
      size: null,
      sha256: null,
      width: null,
      height: null,
      failureReason: null,
      attempts: 0,
    };
    // The request, its job and its event commit together (outbox): the call succeeds even while Redis is down.
    const message = await this.stageRequest(asset, locale, sameRequest === true ? undefined : request, actorId).catch(
      async (error: unknown) => {
        // The save that moved the asset on may be this very request's result (a repeated call racing the worker).
        if (error instanceof VersionMismatchError && completedRequestAt(await this.get(target, assetId), locale, expectedVersion))
          return undefined;
        throw error;
      },
    );
    if (message === undefined) return;
    // The locale's earlier file is no longer referenced by the draft; the published snapshot may still serve it.
    if (previous && !sameRequest) {
      const published = await this.prisma.publishedAssetFile.findFirst({
        where: { objectKey: previous.objectKey },
        select: { token: true },
      });
      if (!published) await this.removeObjects([previous]);
    }
    await this.outbox.dispatchNow([message]);
  }

  async publish(target: EnvironmentTarget, actorId: string, assetId: string, expectedVersion: number | undefined): Promise<AssetWithFiles> {
    const asset = await this.get(target, assetId);
    expectVersion(asset, expectedVersion);
    if (asset.archivedVersion !== null) throw badRequest('An archived asset cannot be published; unarchive it first.');
    const files = fieldsOf(asset).file ?? {};
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
    let released: ReleasedFile[] = [];
    // The snapshot is the version checked above: update() applies only if nobody changed the asset since it was read.
    // Its files are copied with it, so its URLs keep delivering whatever the draft's files become.
    const published = await this.update(
      asset,
      EventTopic.AssetPublish,
      actorId,
      {
        publishedFields: asset.fields as Prisma.InputJsonValue,
        publishedTitle: asset.title,
        publishedContentType: asset.contentType,
        publishedVersion: asset.version,
        publishedAt: now,
        publishedById: actorId,
        publishedCounter: { increment: 1 },
        firstPublishedAt: asset.firstPublishedAt ?? now,
      },
      async (tx, updated) => {
        released = await replacePublishedFiles(tx, updated, Object.keys(files));
      },
    );
    await this.removeObjects(released);
    return published;
  }

  async unpublish(
    target: EnvironmentTarget,
    actorId: string,
    assetId: string,
    expectedVersion: number | undefined,
  ): Promise<AssetWithFiles> {
    const asset = await this.get(target, assetId);
    expectVersionIfGiven(asset, expectedVersion);
    if (asset.publishedVersion === null) throw badRequest('The asset is not published.');
    let released: ReleasedFile[] = [];
    const unpublished = await this.update(
      asset,
      EventTopic.AssetUnpublish,
      actorId,
      { ...NOT_PUBLISHED, publishedAt: null, publishedById: null },
      async (tx, updated) => {
        released = await replacePublishedFiles(tx, updated, []);
      },
    );
    await this.removeObjects(released);
    return unpublished;
  }

  async archive(target: EnvironmentTarget, actorId: string, assetId: string, expectedVersion: number | undefined): Promise<AssetWithFiles> {
    const asset = await this.get(target, assetId);
    expectVersionIfGiven(asset, expectedVersion);
    if (asset.archivedVersion !== null) throw badRequest('The asset is already archived.');
    if (asset.publishedVersion !== null) throw badRequest('A published asset cannot be archived; unpublish it first.');
    let released: ReleasedFile[] = [];
    const archived = await this.update(
      asset,
      EventTopic.AssetArchive,
      actorId,
      {
        // Only an unpublished asset gets here; an archived asset has no published snapshot, whatever happened before.
        ...NOT_PUBLISHED,
        archivedVersion: asset.version,
        archivedAt: new Date(),
        archivedById: actorId,
      },
      async (tx, updated) => {
        released = await replacePublishedFiles(tx, updated, []);
      },
    );
    await this.removeObjects(released);
    return archived;
  }

  /**
   * Writes a process request (`request`; undefined when the same one is still waiting: its job only), its event
   * and its job in ONE statement, and only while the asset is still at the version it was read at — held `FOR
   * SHARE` until the statement ends, so a DELETE or save that commits meanwhile waits, and one that committed
   * before makes this a 404 or 409. One statement instead of a transaction's six round trips: on a busy machine
   * each round trip is a wait for a core, and the process call is on the way to the url a client waits for.
   */
  private async stageRequest(
    asset: AssetWithFiles,
    locale: string,
    request: FileRequest | undefined,
    actorId: string,
  ): Promise<StagedMessage> {
    const target = { spaceId: asset.spaceId, environmentId: asset.environmentId };
    const requested: AssetFile | undefined = request && { ...target, assetId: asset.id, locale, ...request, updatedAt: new Date() };
    const files = [...(asset.files ?? []).filter((other) => other.locale !== locale), ...(requested ? [requested] : [])];
    // The asset as read (its version is checked by the statement) with this locale's new request: no second read.
    const event = this.events.insertFrom('requested', assetEvent(EventTopic.AssetProcessingRequested, { ...asset, files }, actorId));
    const job = this.outbox.insertFrom('locked', JobName.ProcessAssetFile, {
      ...target,
      assetId: asset.id,
      locale,
      version: asset.version,
    });
    const upsert =
      requested === undefined
        ? Prisma.sql`SELECT 1 WHERE false`
        : Prisma.sql`
          INSERT INTO "AssetFile" ("spaceId", "environmentId", "assetId", "locale", "status", "requestedVersion", "uploadId",
            "sourceUrl", "token", "objectKey", "blobKey", "fileName", "contentType", "size", "sha256", "width", "height",
            "failureReason", "attempts", "updatedAt")
          SELECT ${requested.spaceId}, ${requested.environmentId}, ${requested.assetId}, ${locale},
            ${requested.status}::"AssetFileStatus", ${requested.requestedVersion}::integer, ${requested.uploadId}::text,
            ${requested.sourceUrl}::text, ${requested.token}, ${requested.objectKey}, ${requested.blobKey}::text,
            ${requested.fileName}, ${requested.contentType}::text, ${requested.size}::bigint, ${requested.sha256}::text,
            ${requested.width}::integer, ${requested.height}::integer, ${requested.failureReason}::text,
            ${requested.attempts}::integer, ${requested.updatedAt}::timestamp(3)
          FROM "locked"
          ON CONFLICT ("spaceId", "environmentId", "assetId", "locale") DO UPDATE SET
            "status" = EXCLUDED."status", "requestedVersion" = EXCLUDED."requestedVersion", "uploadId" = EXCLUDED."uploadId",
            "sourceUrl" = EXCLUDED."sourceUrl", "token" = EXCLUDED."token", "objectKey" = EXCLUDED."objectKey",
            "blobKey" = EXCLUDED."blobKey", "fileName" = EXCLUDED."fileName", "contentType" = EXCLUDED."contentType",
            "size" = EXCLUDED."size", "sha256" = EXCLUDED."sha256", "width" = EXCLUDED."width", "height" = EXCLUDED."height",
            "failureReason" = EXCLUDED."failureReason", "attempts" = EXCLUDED."attempts", "updatedAt" = EXCLUDED."updatedAt"
          RETURNING 1`;
    const staged = await this.prisma.$queryRaw<{ id: bigint }[]>`
      WITH "locked" AS (
        SELECT 1 FROM "Asset"
        WHERE "spaceId" = ${asset.spaceId} AND "environmentId" = ${asset.environmentId} AND "id" = ${asset.id}
          AND "version" = ${asset.version}::integer
        FOR SHARE
      ), "requested" AS (${upsert}), "event" AS (${event}), "message" AS (${job.sql})
      SELECT "id" FROM "message"`;
    const id = staged[0]?.id;
    if (id !== undefined) return { ...job.message, id };
    const current = await this.prisma.asset.findUnique({ where: { spaceId_environmentId_id: { ...target, id: asset.id } } });
    throw goneOrChanged(asset.id, current?.version);
  }

  /**
   * Removes objects no row owns any more, and the renditions of bytes no
   * file of the space has any more (after the commit that let them go; the
   * orphan sweeper removes any this misses). A file's blob goes only if no
   * other row references the same bytes (else the last one to let it go
   * removes it, or the purge round reaps it). A file stored before blobs (no
   * `blobKey`) owns its object alone.
   */
  private async removeObjects(files: readonly ReleasedFile[]): Promise<void> {
    if (files.length === 0) return;
    await this.blobs.release(files).catch((error: unknown) => {
      this.logger.warn({ msg: 'could not remove files an asset no longer serves', reason: (error as Error).message });
    });
    await this.renditions.release(files.flatMap((file) => (file.sha256 === null ? [] : [{ spaceId: file.spaceId, sha256: file.sha256 }])));
  }

  async unarchive(
    target: EnvironmentTarget,
    actorId: string,
    assetId: string,
    expectedVersion: number | undefined,
  ): Promise<AssetWithFiles> {
    const asset = await this.get(target, assetId);
    expectVersionIfGiven(asset, expectedVersion);
    if (asset.archivedVersion === null) throw badRequest('The asset is not archived.');
    return this.update(asset, EventTopic.AssetUnarchive, actorId, { archivedVersion: null, archivedAt: null, archivedById: null });
  }

  /**
   * Applies a change and bumps the version if nobody changed the asset since
   * it was read (else 409), with its event, in one transaction.
   */
  private async update(
    asset: Asset,
    topic: EventTopic,
    actorId: string,
    data: Prisma.AssetUpdateManyMutationInput,
    alongside?: (tx: Prisma.TransactionClient, updated: AssetWithFiles) => Promise<void>,
  ): Promise<AssetWithFiles> {
    const key = { spaceId: asset.spaceId, environmentId: asset.environmentId, id: asset.id };
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.asset.updateMany({
        where: { ...key, version: asset.version },
        data: { ...data, version: { increment: 1 } },
      });
      if (count === 0) {
        const current = await tx.asset.findUnique({ where: { spaceId_environmentId_id: key }, select: { version: true } });
        if (!current) throw new NotFoundError('Asset', asset.id);
        throw new VersionMismatchError(current.version);
      }
      const updated = await tx.asset.findUniqueOrThrow({ where: { spaceId_environmentId_id: key }, include: { files: true } });
      await alongside?.(tx, updated);
      await this.events.stage(tx, assetEvent(topic, updated, actorId));
      return updated;
    });
  }
}

/** No published version: the snapshot goes with the flag (Contentful keeps no published state of an unpublished asset). */
const NOT_PUBLISHED = {
  publishedVersion: null,
  publishedFields: Prisma.DbNull,
  publishedTitle: null,
  publishedContentType: null,
} satisfies Prisma.AssetUpdateManyMutationInput;

/** A process request: the AssetFile row of one locale but for its keys and its time. */
type FileRequest = Omit<AssetFile, 'spaceId' | 'environmentId' | 'assetId' | 'locale' | 'updatedAt'>;

/** A stored file a change let go: its object goes, and its bytes' renditions if no file of the space has them. */
interface ReleasedFile {
  readonly spaceId: string;
  readonly objectKey: string;
  /** The blob the file referenced; null for a file stored before blobs, the only owner of its object. */
  readonly blobKey: string | null;
  readonly sha256: string | null;
}

/**
 * Makes the published files of an asset the ready files of `locales` (none:
 * the asset is no longer published). Returns the objects that only the
 * replaced published files held — neither the draft's files nor the new
 * published ones name them — for removal once the transaction has committed.
 */
async function replacePublishedFiles(
  tx: Prisma.TransactionClient,
  asset: AssetWithFiles,
  locales: readonly string[],
): Promise<ReleasedFile[]> {
  const where = { spaceId: asset.spaceId, environmentId: asset.environmentId, assetId: asset.id };
  const previous = await tx.publishedAssetFile.findMany({
    where,
    select: { spaceId: true, objectKey: true, blobKey: true, sha256: true },
  });
  await tx.publishedAssetFile.deleteMany({ where });
  const drafts = asset.files ?? [];
  const ready = drafts.filter((file) => file.status === 'ready' && locales.includes(file.locale));
  if (ready.length > 0) {
    await tx.publishedAssetFile.createMany({
      data: ready.map((file) => ({
        ...where,
        locale: file.locale,
        token: file.token,
        objectKey: file.objectKey,
        blobKey: file.blobKey,
        fileName: file.fileName,
        contentType: file.contentType,
        size: file.size,
        sha256: file.sha256,
        processedAt: file.updatedAt,
      })),
    });
  }
  const kept = new Set(drafts.map((file) => file.objectKey));
  return previous.filter((file) => !kept.has(file.objectKey));
}

/** The asset's version, locked until commit (shared: readers pass, a DELETE or update waits); undefined if it is gone. */
async function lockedVersion(tx: Prisma.TransactionClient, key: EnvironmentTarget & { readonly id: string }): Promise<number | undefined> {
  const rows = await tx.$queryRaw<{ version: number }[]>`
    SELECT "version" FROM "Asset"
    WHERE "spaceId" = ${key.spaceId} AND "environmentId" = ${key.environmentId} AND "id" = ${key.id}
    FOR SHARE`;
  return rows[0]?.version;
}

/**
 * A repeated process call (same locale, same version) whose request has
 * completed since: the asset is exactly one version on — the save processing
 * made — and holds that request's result. Answering it as done keeps a retried
 * call idempotent instead of a 409 for a change the caller itself asked for.
 */
function completedRequestAt(asset: AssetWithFiles, locale: string, version: number | undefined): boolean {
  if (version === undefined || asset.version !== version + 1) return false;
  const request = asset.files?.find((candidate) => candidate.locale === locale);
  return request?.requestedVersion === version && request.status === 'ready' && isProcessed(fileOf(fieldsOf(asset), locale));
}

/** What a client gets for an asset that changed after it was read: 404 if it is gone, else 409 with its version. */
function goneOrChanged(assetId: string, current: number | undefined): HangarError {
  return current === undefined ? new NotFoundError('Asset', assetId) : new VersionMismatchError(current);
}

/** Changes to content (update, process, publish) must name the version they were made against. */
function expectVersion(asset: Asset, expected: number | undefined): void {
  if (expected !== asset.version) throw new VersionMismatchError(asset.version);
}

/**
 * Unpublish, archive, unarchive and delete take the version if the client
 * sends one; the Contentful SDK sends none for them, and Contentful accepts that.
 */
function expectVersionIfGiven(asset: Asset, expected: number | undefined): void {
  if (expected !== undefined) expectVersion(asset, expected);
}
