import { Module } from '@nestjs/common';
import { AssetsModule as AssetsDomainModule } from '@hangar/assets';
import { AssetsController } from './assets.controller';

@Module({ imports: [AssetsDomainModule], controllers: [AssetsController] })
export class AssetsModule {}
