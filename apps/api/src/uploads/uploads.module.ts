import { Module } from '@nestjs/common';
import { UploadsCoreModule } from '@hangar/uploads';
import { EnvironmentsModule } from '../environments/environments.module';
import { UploadsController } from './uploads.controller';
import { UploadsService } from './uploads.service';

@Module({ imports: [EnvironmentsModule, UploadsCoreModule], controllers: [UploadsController], providers: [UploadsService] })
export class UploadsModule {}
