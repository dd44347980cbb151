import { Module } from '@nestjs/common';
import { PartSpool } from './part-spool';
import { UploadCleanupService } from './upload-cleanup.service';
import { UploadObjectOwner } from './upload-object.owner';
import { UploadSessionService } from './upload-session.service';
import { UploadSlots } from './upload-slots';
import { UploadsService } from './uploads.service';

@Module({
  providers: [UploadSessionService, UploadsService, UploadCleanupService, UploadObjectOwner, UploadSlots, PartSpool],
  exports: [UploadSessionService, UploadsService, UploadCleanupService, UploadSlots, PartSpool],
})
export class IngestModule {}
