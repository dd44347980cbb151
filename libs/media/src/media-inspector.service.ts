import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { Metadata, SharpOptions } from 'sharp';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { loadSharp } from './sharp-library';
import { exifOrientationOf, hasGpsPosition, hexColor, opaqueRgb, THUMBHASH_MAX_SIDE, thumbHashBase64 } from './image-analysis';

/** Enough for file-type's magic numbers and for the headers of JPEG, PNG, WebP, GIF and AVIF. */
export const SNIFF_BYTES = 4_100;
/** An image too large to read whole is measured from this many leading bytes. */
const IMAGE_HEADER_BYTES = 1024 * 1024;

/** A file whose content cannot be what it claims, or that must not be decoded: no retry will change that. */
export class MediaRejectedError extends Error {
  override readonly name = 'MediaRejectedError';
}

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** What decoding an image once tells. `ImageSize` (the displayed size) comes from its header. */
export interface ImageAnalysis {
  /** ThumbHash of the upright image, base64. */
  readonly thumbhash: string;
  /** `#rrggbb`: sharp's dominant colour of the upright image's opaque pixels, at placeholder size. */
  readonly dominantColor: string;
  /** The EXIF orientation the file has (1–8), undefined when it has none. */
  readonly exifOrientation: number | undefined;
  /** Whether the file's EXIF carries a GPS position (see GPS_POSITION_TAGS). */
  readonly hasGps: boolean;
}

/** What an image's header tells, and what decoding it told or why it was not decoded. */
export type ImageFacts =
  | { readonly size: ImageSize; readonly analysis: ImageAnalysis; readonly notAnalysed?: undefined }
  | { readonly size: ImageSize; readonly analysis?: undefined; readonly notAnalysed: string };

/** The stored file an image is read from: its length, its first bytes, the whole of it as a stream. */
export interface ImageSource {
  readonly size: number;
  readHead(bytes: number): Promise<Buffer>;
  open(): Promise<AsyncIterable<Buffer>>;
}

/**
 * What Hangar learns from a file's bytes: its real type (magic numbers) and,
 * for images, their displayed dimensions and placeholder metadata with
 * `sharp` under the IMAGE_MAX_PIXELS decompression-bomb limit. The only
 * user of `sharp` and `file-type`.
 */
@Injectable()
export class MediaInspector implements OnApplicationBootstrap {
  private readonly maxPixels: number;
  private readonly analysisMaxBytes: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.maxPixels = config.images.maxPixels;
    this.analysisMaxBytes = config.images.analysisMaxBytes;
  }

  /**
   * Loads the ESM-only modules (`file-type`, `thumbhash`) at boot: otherwise the first file a fresh process
   * inspects waits for them (hundreds of milliseconds on a loaded machine). sharp is loaded on first use
   * (SharpLibrary; the worker warms it at boot).
   */
  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([import('file-type'), import('thumbhash')]);
  }

  /** The type the bytes say they are (undefined for text and unknown formats). */
  async detectType(head: Buffer): Promise<string | undefined> {
    const { fileTypeFromBuffer } = await import('file-type');
    return (await fileTypeFromBuffer(head))?.mime;
  }

  /** True for types whose dimensions {@link inspectImage} reads (raster images; SVG is text). */
  hasPixels(contentType: string): boolean {
    return contentType.startsWith('image/') && contentType !== 'image/svg+xml';
  }

  /**
   * Reads an image once and decodes it once: its header (refused over the
   * pixel limit before any pixel is decoded), then a single upright
   * decode at placeholder size for the ThumbHash and the dominant colour.
   * sharp holds a stream's input in memory before decoding anyway, so the
   * file is read into one buffer, and only when it is at most
   * IMAGE_ANALYSIS_MAX_BYTES; a larger one is measured from its first MiB
   * (not analysed), so no file is ever held whole beyond that bound.
   * An image whose header is sound but whose pixels do not decode (a
   * truncated upload) keeps its size, not analysed, as before there was an
   * analysis: browsers show such files. Storage failures pass through as
   * they are (a retry may fix them); a header sharp refuses, or one over
   * the pixel limit, is a {@link MediaRejectedError}.
   */
  async inspectImage(source: ImageSource): Promise<ImageFacts> {
    if (source.size > this.analysisMaxBytes) {
      const metadata = await this.metadataOf(await source.readHead(IMAGE_HEADER_BYTES));
      return {
        size: this.displayedSize(metadata),
        notAnalysed: `The file is larger than IMAGE_ANALYSIS_MAX_BYTES (${this.analysisMaxBytes}): measured from its header only.`,
      };
    }
    const bytes = await readAtMost(await source.open(), this.analysisMaxBytes);
    const metadata = await this.metadataOf(bytes);
    const size = this.displayedSize(metadata);
    try {
      return { size, analysis: await this.analyse(bytes, metadata) };
    } catch (error) {
      return { size, notAnalysed: `The pixels could not be decoded: ${(error as Error).message}` };
    }
  }

  private async metadataOf(bytes: Buffer): Promise<Metadata> {
    try {
      const sharp = await loadSharp();
      return await sharp(bytes, this.decoding()).metadata();
    } catch (error) {
      throw unreadable(error);
    }
  }

  /** The displayed size, once the stored one is known to be within the pixel limit. */
  private displayedSize(metadata: Metadata): ImageSize {
    const { width, height } = metadata;
    if (!width || !height) throw new MediaRejectedError('The image has no dimensions.');
    if (width * height > this.maxPixels) {
      throw new MediaRejectedError(
        `The image is ${width}×${height} pixels, over the limit of ${this.maxPixels} (decompression bomb guard).`,
      );
    }
    return { width: metadata.autoOrient.width, height: metadata.autoOrient.height };
  }

  private async analyse(bytes: Buffer, metadata: Metadata): Promise<ImageAnalysis> {
    const sharp = await loadSharp();
    // The one decode: upright (as displayed), shrunk on load where the format allows, 8-bit sRGB with alpha.
    const { data, info } = await sharp(bytes, this.decoding())
      .autoOrient()
      .resize(THUMBHASH_MAX_SIDE, THUMBHASH_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const rgba = new Uint8Array(data.buffer, data.byteOffset, data.length);
    const { rgb, pixels } = opaqueRgb(rgba);
    const { dominant } = await sharp(rgb, { raw: { width: pixels, height: 1, channels: 3 } }).stats();
    return {
      thumbhash: await thumbHashBase64(info.width, info.height, rgba),
      dominantColor: hexColor(dominant),
      exifOrientation: exifOrientationOf(metadata.orientation),
      hasGps: hasGpsPosition(metadata.exif),
    };
  }

  private decoding(): SharpOptions {
    return { limitInputPixels: this.maxPixels, failOn: 'error' };
  }
}

/**
 * The whole of a stream that should hold at most `limit` bytes. More means
 * the object is not the one measured at upload: an error a retry may clear,
 * not the client's content.
 */
async function readAtMost(stream: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += chunk.length;
    if (length > limit) throw new Error(`The stored object is larger than the ${limit} bytes its size allowed for.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

function unreadable(error: unknown): MediaRejectedError {
  return new MediaRejectedError(`The image could not be read: ${(error as Error).message}`);
}
