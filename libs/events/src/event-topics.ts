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
} as const;
export type EventTopic = (typeof EventTopic)[keyof typeof EventTopic];

/** The kind of entity each topic is about. */
export type EventEntityType = 'Asset' | 'Upload';

export function entityTypeOf(topic: EventTopic): EventEntityType {
  return topic.includes('.Asset.') ? 'Asset' : 'Upload';
}
