import { Module } from '@nestjs/common';
import { MetricsModule } from '@hangar/observability';
import { QueueModule } from '@hangar/queue';
import { BlobStore } from './blob-store';
import { PartSpool } from './part-spool';
import { TusLocker } from './tus-locker';
import { TusUploads } from './tus-uploads.service';
import { UploadCleanupService } from './upload-cleanup.service';
import { UploadObjectOwner } from './upload-object.owner';
import { UploadSessionService } from './upload-session.service';
import { UploadSlots } from './upload-slots';
import { UploadsService } from './uploads.service';

@Module({
  // Upload slots are counted in Redis, and every door's bytes in the app's metrics (global modules the apps import
  // anyway; said here for contexts that do not).
  imports: [QueueModule, MetricsModule],
  providers: [
    BlobStore,
    UploadSessionService,
    UploadsService,
    UploadCleanupService,
    UploadObjectOwner,
    UploadSlots,
    PartSpool,
    TusLocker,
    TusUploads,
  ],
  exports: [BlobStore, UploadSessionService, UploadsService, UploadCleanupService, UploadObjectOwner, UploadSlots, PartSpool, TusUploads],
})
export class IngestModule {}
