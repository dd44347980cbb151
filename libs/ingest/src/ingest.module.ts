import { Module } from '@nestjs/common';
import { UploadCleanupService } from './upload-cleanup.service';
import { UploadSessionService } from './upload-session.service';
import { UploadsService } from './uploads.service';

@Module({
  providers: [UploadSessionService, UploadsService, UploadCleanupService],
  exports: [UploadSessionService, UploadsService, UploadCleanupService],
})
export class IngestModule {}
