import { Module } from '@nestjs/common';
import { IngestModule } from '@hangar/ingest';
import { MediaModule } from '@hangar/media';
import { AssetDeliveryService } from './asset-delivery.service';
import { AssetFileObjectOwner } from './asset-file-object.owner';
import { AssetFieldsValidator } from './asset-fields.validator';
import { AssetLocalesService } from './asset-locales.service';
import { AssetsService } from './assets.service';

/** Assets: fields, lifecycle and delivery (both apps); processing is in AssetProcessingModule (the worker). */
@Module({
  imports: [IngestModule, MediaModule],
  providers: [AssetsService, AssetFieldsValidator, AssetDeliveryService, AssetFileObjectOwner, AssetLocalesService],
  exports: [AssetsService, AssetDeliveryService, AssetLocalesService],
})
export class AssetsModule {}
