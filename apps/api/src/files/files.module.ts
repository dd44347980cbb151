import { Module } from '@nestjs/common';
import { FilesModule as FilesLibModule } from '@hangar/files';
import { FileDeliveryController } from './file-delivery.controller';
import { FilesController } from './files.controller';

@Module({ imports: [FilesLibModule], controllers: [FilesController, FileDeliveryController] })
export class FilesApiModule {}
