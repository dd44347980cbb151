import { Module } from '@nestjs/common';
import { AssetsModule } from '@hangar/assets';
import { FilesController } from './files.controller';

@Module({ imports: [AssetsModule], controllers: [FilesController] })
export class DeliveryModule {}
