import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { type AppConfig, ConfigModule } from '@hangar/config';
import { AssetProcessingModule, AssetsModule } from '@hangar/assets';
import { DatabaseModule } from '@hangar/database';
import { EventsModule, WebhookDeliveryModule } from '@hangar/events';
import { FilesModule } from '@hangar/files';
import { IngestModule } from '@hangar/ingest';
import { MetricsModule } from '@hangar/observability';
import { JOB_HANDLERS, type JobHandler, JobWorkersService, QueueModule } from '@hangar/queue';
import { StorageModule } from '@hangar/storage';
import { AssetProcessingProcessor } from './assets/asset-processing.processor';
import { FileExpansionProcessor } from './files/file-expansion.processor';
import { WorkerMetricsServer } from './metrics/worker-metrics.server';
import { OutboxDispatcherJob } from './outbox/outbox-dispatcher.job';
import { OrphanSweepJob } from './storage/orphan-sweep.job';
import { StoredObjectsRemovalProcessor } from './storage/stored-objects-removal.processor';
import { UploadPurgeJob } from './uploads/upload-purge.job';
import { WebhookDeliveryProcessor } from './webhooks/webhook-delivery.processor';
import { WebhookFanoutJob } from './webhooks/webhook-fanout.job';

/** The worker: BullMQ processors and scheduled jobs; it serves no HTTP but its own /metrics (WORKER_METRICS_PORT). */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        ScheduleModule.forRoot(),
        MetricsModule,
        DatabaseModule,
        StorageModule,
        QueueModule,
        EventsModule,
        IngestModule,
        AssetsModule,
        // For its ownership of `files/` (the orphan sweep must know which of those objects file versions still hold),
        // and ZIP expansion.
        FilesModule,
        // Processing, with remote import (RemoteImportModule) and so the guarded outbound client.
        AssetProcessingModule,
        // Webhook fan-out and delivery, with the guarded outbound client.
        WebhookDeliveryModule,
      ],
      providers: [
        UploadPurgeJob,
        OutboxDispatcherJob,
        OrphanSweepJob,
        AssetProcessingProcessor,
        FileExpansionProcessor,
        StoredObjectsRemovalProcessor,
        WebhookFanoutJob,
        WebhookDeliveryProcessor,
        {
          provide: JOB_HANDLERS,
          useFactory: (...handlers: JobHandler[]) => handlers,
          inject: [AssetProcessingProcessor, FileExpansionProcessor, StoredObjectsRemovalProcessor, WebhookDeliveryProcessor],
        },
        JobWorkersService,
        WorkerMetricsServer,
      ],
    };
  }
}
