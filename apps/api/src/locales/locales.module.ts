import { Module } from '@nestjs/common';
import { EnvironmentsModule } from '../environments/environments.module';
import { LocalesController } from './locales.controller';
import { LocalesService } from './locales.service';

@Module({ imports: [EnvironmentsModule], controllers: [LocalesController], providers: [LocalesService], exports: [LocalesService] })
export class LocalesModule {}
