import { Module } from '@nestjs/common';
import { IngestModule, RemoteImportModule } from '@hangar/ingest';
import { MediaModule } from '@hangar/media';
import { AssetProcessingService } from './asset-processing.service';

/**
 * Asset file processing, for the worker: the ingestion core, remote import
 * (and with it the guarded outbound client) and media inspection. The api
 * does not import it, so it opens no outbound connections of its own.
 */
@Module({
  imports: [IngestModule, RemoteImportModule, MediaModule],
  providers: [AssetProcessingService],
  exports: [AssetProcessingService],
})
export class AssetProcessingModule {}
