import { Module } from '@nestjs/common';
import { IngestModule } from '@hangar/ingest';
import { MediaModule } from '@hangar/media';
import { AssetDeliveryService } from './asset-delivery.service';
import { AssetFileObjectOwner } from './asset-file-object.owner';
import { AssetFieldsValidator } from './asset-fields.validator';
import { AssetProcessingService } from './asset-processing.service';
import { AssetsService } from './assets.service';

@Module({
  imports: [IngestModule, MediaModule],
  providers: [AssetsService, AssetFieldsValidator, AssetProcessingService, AssetDeliveryService, AssetFileObjectOwner],
  exports: [AssetsService, AssetProcessingService, AssetDeliveryService],
})
export class AssetsModule {}
