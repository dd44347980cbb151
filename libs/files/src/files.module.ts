import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { IngestModule } from '@hangar/ingest';
import { MediaModule } from '@hangar/media';
import { ArchiveExpansionService } from './archive-expansion.service';
import { FileDeliveryService } from './file-delivery.service';
import { FileUrlSigner } from './file-url-signer';
import { FileVersionObjectOwner } from './file-version-object.owner';
import { FilesService } from './files.service';

/**
 * Path-addressed files (both apps: the api serves them; the worker imports the
 * module so its orphan sweep knows who owns `files/`).
 */
@Module({
  imports: [IngestModule, MediaModule],
  providers: [
    FilesService,
    ArchiveExpansionService,
    FileDeliveryService,
    FileVersionObjectOwner,
    { provide: FileUrlSigner, useFactory: (config: AppConfig) => new FileUrlSigner(config.files.signingKeys), inject: [APP_CONFIG] },
  ],
  exports: [FilesService, ArchiveExpansionService, FileDeliveryService, FileUrlSigner],
})
export class FilesModule {}
