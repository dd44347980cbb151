import { Module } from '@nestjs/common';
import { FaceDetector } from './face-detector';
import { MediaInspector } from './media-inspector.service';

@Module({ providers: [MediaInspector, FaceDetector], exports: [MediaInspector, FaceDetector] })
export class MediaModule {}
