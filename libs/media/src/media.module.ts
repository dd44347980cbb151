import { Module } from '@nestjs/common';
import { MediaInspector } from './media-inspector.service';
import { RenditionObjectOwner } from './rendition-object.owner';
import { RenditionsService } from './renditions.service';

/**
 * Media: inspection (processing) and renditions (delivery). Both apps import
 * it, so both register the renditions' owner: the worker's orphan sweep must
 * know which rendition objects their source bytes still hold.
 */
@Module({
  providers: [MediaInspector, RenditionObjectOwner, RenditionsService],
  exports: [MediaInspector, RenditionsService],
})
export class MediaModule {}
