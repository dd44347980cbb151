import { Module } from '@nestjs/common';
import { MediaInspector } from './media-inspector.service';

@Module({ providers: [MediaInspector], exports: [MediaInspector] })
export class MediaModule {}
