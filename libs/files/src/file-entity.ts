import type { File, FileFolder, FileVersion } from '@hangar/database';
import { link, MASTER_ENVIRONMENT } from '@hangar/domain';
import type { DomainEventInput, EventTopic } from '@hangar/events';
import { fileDeliveryUrl } from './file-keys';
import { FilePath } from './file-path';

/** A file with the version a response is about (its current one unless a version was asked for). */
export interface FileWithVersion {
  readonly file: File;
  readonly version: FileVersion;
}

const fileLink = (id: string) => ({ sys: { type: 'Link' as const, linkType: 'File' as const, id } });

/**
 * The File resource: where it is, who may fetch it, and its current version's
 * bytes (type, size, SHA-256). `url` is its stable delivery URL when public;
 * a private file has none (ask for a signed one).
 */
export function fileEntity({ file, version }: FileWithVersion, publicBaseUrl: URL) {
  return {
    sys: {
      type: 'File' as const,
      id: file.id,
      version: version.number,
      space: link('Space', file.spaceId),
      createdAt: file.createdAt.toISOString(),
      createdBy: link('User', file.createdById),
      updatedAt: file.updatedAt.toISOString(),
      updatedBy: link('User', file.updatedById),
    },
    path: file.path,
    folder: file.folder,
    name: file.name,
    acl: file.acl,
    contentType: version.contentType,
    size: Number(version.size),
    sha256: version.sha256,
    url: file.acl === 'public' ? fileDeliveryUrl(publicBaseUrl, file.spaceId, FilePath.parse(file.path)) : null,
  };
}

/** One version of a file: its bytes, who wrote them and when; `url` pins the version (public files only). */
export function fileVersionEntity({ file, version }: FileWithVersion, publicBaseUrl: URL) {
  return {
    sys: {
      type: 'FileVersion' as const,
      version: version.number,
      file: fileLink(file.id),
      space: link('Space', file.spaceId),
      createdAt: version.createdAt.toISOString(),
      createdBy: link('User', version.createdById),
    },
    path: file.path,
    current: version.number === file.currentVersion,
    contentType: version.contentType,
    declaredType: version.declaredType,
    size: Number(version.size),
    sha256: version.sha256,
    url:
      file.acl === 'public'
        ? fileDeliveryUrl(publicBaseUrl, file.spaceId, FilePath.parse(file.path), { version: String(version.number) })
        : null,
  };
}

/** A folder: `explicit` when created on its own (it stays when emptied), else made by the files under it. */
export function folderEntity(folder: FileFolder) {
  return {
    sys: {
      type: 'Folder' as const,
      space: link('Space', folder.spaceId),
      createdAt: folder.createdAt.toISOString(),
      createdBy: link('User', folder.createdById),
    },
    path: folder.path,
    folder: folder.parent,
    name: folder.name,
    explicit: folder.explicit,
  };
}

/**
 * Files belong to a space, not to an environment; their events carry the
 * space's `master` environment (where their upload sessions run), since every
 * event names one.
 */
export function fileEvent(topic: EventTopic, entity: ReturnType<typeof fileEntity>, actorId: string): DomainEventInput {
  return { topic, spaceId: entity.sys.space.sys.id, environmentId: MASTER_ENVIRONMENT, entityId: entity.sys.id, actorId, payload: entity };
}

export function folderEvent(topic: EventTopic, folder: FileFolder, actorId: string): DomainEventInput {
  return {
    topic,
    spaceId: folder.spaceId,
    environmentId: MASTER_ENVIRONMENT,
    entityId: folder.path,
    actorId,
    payload: folderEntity(folder),
  };
}
