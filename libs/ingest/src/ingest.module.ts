import { Module } from '@nestjs/common';
import { UploadCleanupService } from './upload-cleanup.service';
import { UploadObjectOwner } from './upload-object.owner';
import { UploadSessionService } from './upload-session.service';
import { UploadsService } from './uploads.service';

@Module({
  providers: [UploadSessionService, UploadsService, UploadCleanupService, UploadObjectOwner],
  exports: [UploadSessionService, UploadsService, UploadCleanupService],
})
export class IngestModule {}
