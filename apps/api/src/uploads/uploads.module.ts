import { Module } from '@nestjs/common';
import { IngestModule } from '@hangar/ingest';
import { UploadsController } from './uploads.controller';

@Module({ imports: [IngestModule], controllers: [UploadsController] })
export class UploadsModule {}
