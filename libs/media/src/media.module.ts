import { Module } from '@nestjs/common';
import { MetricsModule } from '@hangar/observability';
import { FaceDetector } from './face-detector';
import { MediaInspector } from './media-inspector.service';
import { RenditionObjectOwner } from './rendition-object.owner';
import { FACE_LOCATOR, RenditionsService } from './renditions.service';
import { SharpLibrary } from './sharp-library';

/**
 * Media: inspection (processing) and renditions (delivery), with the face
 * detector `f=face` uses. Both apps import it, so both register the
 * renditions' owner: the worker's orphan sweep must know which rendition
 * objects their source bytes still hold.
 */
@Module({
  // Rendition outcomes are counted in the app's metrics (global in both apps; said here for contexts that do not).
  imports: [MetricsModule],
  providers: [
    MediaInspector,
    FaceDetector,
    { provide: FACE_LOCATOR, useExisting: FaceDetector },
    RenditionObjectOwner,
    RenditionsService,
    SharpLibrary,
  ],
  exports: [MediaInspector, FaceDetector, RenditionsService, SharpLibrary],
})
export class MediaModule {}
