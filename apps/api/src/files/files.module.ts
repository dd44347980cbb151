import { Module } from '@nestjs/common';
import { FilesModule as FilesLibModule } from '@hangar/files';
import { MediaModule } from '@hangar/media';
import { FileDeliveryController } from './file-delivery.controller';
import { FilesController } from './files.controller';

@Module({ imports: [FilesLibModule, MediaModule], controllers: [FilesController, FileDeliveryController] })
export class FilesApiModule {}
