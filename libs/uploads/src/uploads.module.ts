import { Module } from '@nestjs/common';
import { UploadCleanupService } from './upload-cleanup.service';

@Module({ providers: [UploadCleanupService], exports: [UploadCleanupService] })
export class UploadsCoreModule {}
