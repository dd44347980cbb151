import { Module } from '@nestjs/common';
import { OutboundModule } from '@hangar/outbound';
import { IngestModule } from './ingest.module';
import { RemoteImportService } from './remote-import.service';

/** Remote import: the ingestion core plus the guarded outbound client (the worker imports it). */
@Module({
  imports: [IngestModule, OutboundModule],
  providers: [RemoteImportService],
  exports: [RemoteImportService],
})
export class RemoteImportModule {}
