import { Module } from '@nestjs/common';
import { LocalesModule } from '../locales/locales.module';
import { AssetFieldsResolver } from './asset-fields.resolver';
import { AssetsController } from './assets.controller';
import { AssetsService } from './assets.service';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';

@Module({
  imports: [LocalesModule],
  controllers: [AssetsController, FilesController],
  providers: [AssetsService, AssetFieldsResolver, FilesService],
})
export class AssetsModule {}
