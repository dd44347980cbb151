import { Module } from '@nestjs/common';
import { AssetsModule } from '@hangar/assets';
import { EnvironmentsModule } from '../environments/environments.module';
import { LocalesController } from './locales.controller';
import { LocalesService } from './locales.service';

@Module({
  imports: [EnvironmentsModule, AssetsModule],
  controllers: [LocalesController],
  providers: [LocalesService],
  exports: [LocalesService],
})
export class LocalesModule {}
