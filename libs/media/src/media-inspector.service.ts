import { Inject, Injectable } from '@nestjs/common';
import sharp from 'sharp';
import { APP_CONFIG, type AppConfig } from '@hangar/config';

/** Enough for file-type's magic numbers and for the headers of JPEG, PNG, WebP, GIF and AVIF. */
export const SNIFF_BYTES = 4_100;
/** Image dimensions are read from this many leading bytes first. */
const IMAGE_HEADER_BYTES = 1024 * 1024;
/** Beyond this, image metadata is only read from the header bytes (never the whole file into memory). */
const FULL_READ_LIMIT = 32 * 1024 * 1024;

/** A file whose content cannot be what it claims, or that must not be decoded: no retry will change that. */
export class MediaRejectedError extends Error {
  override readonly name = 'MediaRejectedError';
}

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** Reads the first `bytes` bytes of the file being inspected. */
export type ReadHead = (bytes: number) => Promise<Buffer>;

/**
 * What Hangar learns from a file's bytes: its real type (magic numbers) and,
 * for images, their dimensions with `sharp` under the IMAGE_MAX_PIXELS
 * decompression-bomb limit. The only user of `sharp` and `file-type`.
 */
@Injectable()
export class MediaInspector {
  private readonly maxPixels: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.maxPixels = config.images.maxPixels;
  }

  /** The type the bytes say they are (undefined for text and unknown formats). */
  async detectType(head: Buffer): Promise<string | undefined> {
    const { fileTypeFromBuffer } = await import('file-type');
    return (await fileTypeFromBuffer(head))?.mime;
  }

  /** True for types whose dimensions {@link imageSize} reads (raster images; SVG is text). */
  hasPixels(contentType: string): boolean {
    return contentType.startsWith('image/') && contentType !== 'image/svg+xml';
  }

  /**
   * Width and height from the header bytes; a file whose header is not in its
   * first MiB is read whole up to 32 MiB. Refuses images over the pixel limit
   * before decoding them.
   */
  async imageSize(readHead: ReadHead, size: number): Promise<ImageSize> {
    const read = async (bytes: Buffer) => sharp(bytes, { limitInputPixels: this.maxPixels, failOn: 'error' }).metadata();
    let metadata;
    try {
      metadata = await read(await readHead(IMAGE_HEADER_BYTES));
    } catch (headerError) {
      if (size <= IMAGE_HEADER_BYTES || size > FULL_READ_LIMIT) throw unreadable(headerError);
      try {
        metadata = await read(await readHead(size));
      } catch (error) {
        throw unreadable(error);
      }
    }
    const { width, height } = metadata;
    if (!width || !height) throw new MediaRejectedError('The image has no dimensions.');
    if (width * height > this.maxPixels) {
      throw new MediaRejectedError(
        `The image is ${width}×${height} pixels, over the limit of ${this.maxPixels} (decompression bomb guard).`,
      );
    }
    return { width, height };
  }
}

function unreadable(error: unknown): MediaRejectedError {
  return new MediaRejectedError(`The image could not be read: ${(error as Error).message}`);
}
