import type { Asset, AssetFile } from '@hangar/database';
import { link } from '@hangar/domain';
import type { DomainEventInput, EventTopic } from '@hangar/events';
import { fieldsOf } from './asset-fields';

export type AssetWithFiles = Asset & { files?: AssetFile[] };

/** Processing state per locale, so a failure is never silent (`sys.fileProcessing`). */
function fileProcessing(files: AssetFile[] | undefined) {
  if (!files || files.length === 0) return undefined;
  return Object.fromEntries(
    files.map((file) => [
      file.locale,
      {
        status: file.status,
        ...(file.failureReason ? { reason: file.failureReason } : {}),
        updatedAt: file.updatedAt.toISOString(),
      },
    ]),
  );
}

const userLink = (id: string | null) => (id ? link('User', id) : undefined);
const iso = (date: Date | null) => date?.toISOString();

/** The asset as Contentful's CMA shows it: what the API answers and what events carry. */
export function assetEntity(asset: AssetWithFiles) {
  const sys = {
    type: 'Asset' as const,
    id: asset.id,
    version: asset.version,
    space: link('Space', asset.spaceId),
    environment: link('Environment', asset.environmentId),
    createdAt: asset.createdAt.toISOString(),
    createdBy: link('User', asset.createdById),
    updatedAt: asset.updatedAt.toISOString(),
    updatedBy: link('User', asset.updatedById),
    publishedCounter: asset.publishedCounter,
    publishedVersion: asset.publishedVersion ?? undefined,
    publishedAt: iso(asset.publishedAt),
    publishedBy: userLink(asset.publishedById),
    firstPublishedAt: iso(asset.firstPublishedAt),
    archivedVersion: asset.archivedVersion ?? undefined,
    archivedAt: iso(asset.archivedAt),
    archivedBy: userLink(asset.archivedById),
    fileProcessing: fileProcessing(asset.files),
  };
  return {
    metadata: { tags: [] as unknown[] },
    sys: Object.fromEntries(Object.entries(sys).filter(([, value]) => value !== undefined)),
    fields: fieldsOf(asset),
  };
}

/**
 * The published version of a published asset, as Contentful's published-assets
 * collection (`…/public/assets`) shows it: the fields as they were when it was
 * published, at the version that was published (`sys.version` =
 * `sys.publishedVersion`), last changed when it was published. Undefined for an
 * asset that is not published.
 */
export function publishedAssetEntity(asset: Asset) {
  if (asset.publishedVersion === null || asset.publishedAt === null || asset.publishedFields === null) return undefined;
  const sys = {
    type: 'Asset' as const,
    id: asset.id,
    version: asset.publishedVersion,
    space: link('Space', asset.spaceId),
    environment: link('Environment', asset.environmentId),
    createdAt: asset.createdAt.toISOString(),
    createdBy: link('User', asset.createdById),
    updatedAt: asset.publishedAt.toISOString(),
    updatedBy: userLink(asset.publishedById),
    publishedCounter: asset.publishedCounter,
    publishedVersion: asset.publishedVersion,
    publishedAt: asset.publishedAt.toISOString(),
    publishedBy: userLink(asset.publishedById),
    firstPublishedAt: iso(asset.firstPublishedAt),
  };
  return {
    metadata: { tags: [] as unknown[] },
    sys: Object.fromEntries(Object.entries(sys).filter(([, value]) => value !== undefined)),
    fields: fieldsOf({ fields: asset.publishedFields }),
  };
}

/** An asset as an API answers it: `sys`, `fields`, `metadata`. */
export type AssetRepresentation = ReturnType<typeof assetEntity>;

/** The domain event of a change to an asset: the asset as it is right after it, and who made it (none: the system). */
export function assetEvent(topic: EventTopic, asset: AssetWithFiles, actorId?: string): DomainEventInput {
  return { topic, spaceId: asset.spaceId, environmentId: asset.environmentId, entityId: asset.id, actorId, payload: assetEntity(asset) };
}
