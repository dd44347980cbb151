import { Module } from '@nestjs/common';
import { AssetsModule } from '@hangar/assets';
import { MediaModule } from '@hangar/media';
import { FilesController } from './files.controller';

@Module({ imports: [AssetsModule, MediaModule], controllers: [FilesController] })
export class DeliveryModule {}
