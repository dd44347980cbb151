import { Module } from '@nestjs/common';
import { IngestModule } from '@hangar/ingest';
import { TusController } from './tus.controller';
import { TusHandler } from './tus.handler';

@Module({ imports: [IngestModule], controllers: [TusController], providers: [TusHandler] })
export class TusModule {}
