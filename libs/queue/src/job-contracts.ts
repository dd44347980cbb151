import type { JobsOptions } from 'bullmq';

/** Every queue Hangar uses. */
export const QueueName = {
  AssetProcessing: 'asset-processing',
  FileExpansion: 'file-expansion',
  StorageCleanup: 'storage-cleanup',
  /** Webhook deliveries: a slow receiver waits here, never in front of processing. */
  Webhooks: 'webhooks',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

/** Every job, with the queue it runs on. Payloads carry ids only: handlers reload the rows. */
export const JobName = {
  ProcessAssetFile: 'process-asset-file',
  ExpandFileArchive: 'expand-file-archive',
  RemoveStoredObjects: 'remove-stored-objects',
  DeliverWebhook: 'deliver-webhook',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface JobPayloads {
  [JobName.ProcessAssetFile]: {
    readonly spaceId: string;
    readonly environmentId: string;
    readonly assetId: string;
    readonly locale: string;
    /** The asset version the process call was made at. */
    readonly version: number;
  };
  [JobName.ExpandFileArchive]: {
    readonly spaceId: string;
    /** The FileExpansion row: its archive, target folder and status. */
    readonly expansionId: string;
  };
  [JobName.RemoveStoredObjects]: {
    /** What went: a space (every environment) or one environment of it. */
    readonly spaceId: string;
    readonly environmentId?: string;
    /** Every object under these prefixes belonged to what went, and goes too. */
    readonly prefixes: readonly string[];
    /** This deletion's own id: an environment can be made again under its old id, and deleted again. */
    readonly removalId: string;
  };
  [JobName.DeliverWebhook]: {
    /** The WebhookDelivery row: one event for one webhook (its id is the idempotency key). */
    readonly deliveryId: string;
  };
}

export const QUEUE_OF_JOB: Record<JobName, QueueName> = {
  [JobName.ProcessAssetFile]: QueueName.AssetProcessing,
  [JobName.ExpandFileArchive]: QueueName.FileExpansion,
  [JobName.RemoveStoredObjects]: QueueName.StorageCleanup,
  [JobName.DeliverWebhook]: QueueName.Webhooks,
};

/** Deterministic ids make a repeated enqueue of the same request a no-op. BullMQ forbids ':' in ids. */
const JOB_ID_RULES: { readonly [N in JobName]: (payload: JobPayloads[N]) => string[] } = {
  [JobName.ProcessAssetFile]: (payload) => [
    'asset',
    payload.spaceId,
    payload.environmentId,
    payload.assetId,
    payload.locale,
    String(payload.version),
  ],
  [JobName.ExpandFileArchive]: (payload) => ['expansion', payload.spaceId, payload.expansionId],
  [JobName.RemoveStoredObjects]: (payload) => ['removal', payload.spaceId, payload.environmentId ?? '*', payload.removalId],
  [JobName.DeliverWebhook]: (payload) => ['webhook', payload.deliveryId],
};

export function jobIdOf<N extends JobName>(name: N, payload: JobPayloads[N]): string {
  const rule = JOB_ID_RULES[name] as ((payload: JobPayloads[N]) => string[]) | undefined;
  if (!rule) throw new Error(`no job id rule for ${String(name)}`);
  return rule(payload).join('/');
}

/** The retry policy, in one place: exponential backoff; failures are kept for inspection. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 10_000 },
};

/**
 * A job's retry policy where it differs from the default: webhook deliveries
 * retry as WEBHOOK_MAX_ATTEMPTS and WEBHOOK_RETRY_SECONDS say (Contentful
 * tries three times, 30 s apart; exponential here, from that delay).
 */
export function jobOptionsOf(name: JobName, settings: { webhookAttempts: number; webhookRetrySeconds: number }): JobsOptions {
  if (name === JobName.DeliverWebhook) {
    return {
      ...DEFAULT_JOB_OPTIONS,
      attempts: settings.webhookAttempts,
      backoff: { type: 'exponential', delay: settings.webhookRetrySeconds * 1000 },
    };
  }
  return DEFAULT_JOB_OPTIONS;
}

/** Thrown by a handler for a failure no retry can fix (corrupt file, expired upload): recorded, not retried. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}
