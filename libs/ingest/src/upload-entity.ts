import type { Upload } from '@hangar/database';
import { link } from '@hangar/domain';
import type { DomainEventInput, EventTopic } from '@hangar/events';

/**
 * Contentful's Upload resource, plus `details.size` and `details.sha256`
 * (Contentful offers no integrity check; unknown fields do not disturb the SDK),
 * and `details.fileName` / `details.contentType` when the client named the
 * file (a form part, base64 JSON).
 * The API answers with it and events carry it.
 */
export function uploadEntity(upload: Upload) {
  return {
    sys: {
      type: 'Upload' as const,
      id: upload.id,
      createdAt: upload.createdAt.toISOString(),
      expiresAt: upload.expiresAt.toISOString(),
      space: link('Space', upload.spaceId),
      environment: link('Environment', upload.environmentId),
      createdBy: link('User', upload.createdById),
    },
    details: {
      size: Number(upload.size ?? 0),
      sha256: upload.sha256,
      // Only what the client gave: a raw octet-stream body (Contentful's only kind) has neither.
      ...(upload.fileName === null ? {} : { fileName: upload.fileName }),
      ...(upload.contentType === null ? {} : { contentType: upload.contentType }),
    },
  };
}

/** The domain event of a change to an upload: the upload as the API shows it, and who made the change (none: the system). */
export function uploadEvent(topic: EventTopic, upload: Upload, actorId?: string): DomainEventInput {
  return {
    topic,
    spaceId: upload.spaceId,
    environmentId: upload.environmentId,
    entityId: upload.id,
    actorId,
    payload: uploadEntity(upload),
  };
}
