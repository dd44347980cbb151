/**
 * Every domain event Hangar stages. Asset topics are Contentful's webhook
 * topics (`ContentManagement.Asset.<action>`), so the webhooks issue can
 * deliver them as they are; what Contentful has no topic for is Hangar's own.
 */
export const EventTopic = {
  AssetCreate: 'ContentManagement.Asset.create',
  AssetSave: 'ContentManagement.Asset.save',
  AssetPublish: 'ContentManagement.Asset.publish',
  AssetUnpublish: 'ContentManagement.Asset.unpublish',
  AssetArchive: 'ContentManagement.Asset.archive',
  AssetUnarchive: 'ContentManagement.Asset.unarchive',
  AssetDelete: 'ContentManagement.Asset.delete',
  AssetProcessingRequested: 'Hangar.Asset.processing_requested',
  AssetProcessed: 'Hangar.Asset.processed',
  AssetProcessingFailed: 'Hangar.Asset.processing_failed',
  UploadCreate: 'Hangar.Upload.create',
  UploadDelete: 'Hangar.Upload.delete',
  UploadExpire: 'Hangar.Upload.expire',
  FileCreate: 'Hangar.File.create',
  FileVersionCreate: 'Hangar.File.version_create',
  FileAclChange: 'Hangar.File.acl_change',
  FileVersionDelete: 'Hangar.File.version_delete',
  FileDelete: 'Hangar.File.delete',
  FolderCreate: 'Hangar.Folder.create',
  FolderDelete: 'Hangar.Folder.delete',
} as const;
export type EventTopic = (typeof EventTopic)[keyof typeof EventTopic];

/** The kind of entity each topic is about. */
export type EventEntityType = 'Asset' | 'Upload' | 'File' | 'Folder';

const ENTITY_TYPES: readonly EventEntityType[] = ['Asset', 'Upload', 'File', 'Folder'];

/** The entity a topic names between its dots (`Hangar.File.create` → `File`). */
export function entityTypeOf(topic: EventTopic): EventEntityType {
  const type = ENTITY_TYPES.find((candidate) => topic.includes(`.${candidate}.`));
  if (type === undefined) throw new Error(`the topic ${topic} names no entity type`);
  return type;
}
