import { Module } from '@nestjs/common';
import { FilesModule as FilesLibModule } from '@hangar/files';
import { AkanaController } from '../akana/akana.controller';
import { CapillaryController } from '../capillary/capillary.controller';
import { ComapiController } from '../comapi/comapi.controller';
import { DialectFiles } from './dialect-files';

/**
 * The seed systems' content and file services, spoken natively (shared/seeds/):
 * one folder per dialect, each a thin translation onto libs/files.
 */
@Module({ imports: [FilesLibModule], providers: [DialectFiles], controllers: [CapillaryController, ComapiController, AkanaController] })
export class DialectsModule {}
