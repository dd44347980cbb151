import type { Sharp } from 'sharp';
import { HangarError } from '@hangar/domain';
import { loadSharp, type SharpLibraryFunction } from './sharp-library';
import { type ImageFocus, type ImageFormat, type ImageParams, renditionFormatOf } from './image-params';

/** A face (or any region) in image pixels. */
export interface Region {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** What finds faces for `f=face`/`f=faces` (libs/media FaceDetector); without one, sharp's attention strategy stands in. */
export interface FaceLocator {
  readonly available: boolean;
  detect(pixels: {
    readonly data: Buffer;
    readonly width: number;
    readonly height: number;
    readonly channels: 3;
  }): Promise<readonly (Region & { readonly score: number })[]>;
}

/** Where an image to transform is: bytes in memory, or a file on local disk (large sources). */
export type ImageInput = Buffer | string;

export interface RenderedImage {
  readonly data: Buffer;
  readonly format: ImageFormat;
  readonly contentType: string;
  readonly width: number;
  readonly height: number;
}

/** 400: the file cannot be transformed (not an image sharp reads, or over the pixel limit). */
export class ImageNotTransformableError extends HangarError {
  constructor(reason: string) {
    super('BadRequest', `This image cannot be transformed: ${reason}`, { reason });
  }
}

export const CONTENT_TYPE_OF_FORMAT: Readonly<Record<ImageFormat, string>> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

/** Formats that keep transparency: padding and rounded corners are transparent there unless `bg` says otherwise. */
const WITH_ALPHA: ReadonlySet<ImageFormat> = new Set(['png', 'webp', 'gif', 'avif', 'tiff']);
/** The colour of padding, corners and flattened transparency where there is no alpha and no `bg`. */
const OPAQUE_BACKGROUND = '#ffffff';
const TRANSPARENT = { r: 0, g: 0, b: 0, alpha: 0 };
/** Faces are looked for in a copy this size (the detector's input); boxes are scaled back up. */
const FACE_SEARCH_SIZE = 640;
/** A `thumb` around faces keeps this much of the face box's size around it (the face fills about half the thumbnail). */
const THUMB_FACE_MARGIN = 2;

const POSITION_OF_FOCUS: Readonly<Record<Exclude<ImageFocus, 'face' | 'faces'>, string>> = {
  center: 'centre',
  top: 'top',
  right: 'right',
  left: 'left',
  bottom: 'bottom',
  top_right: 'right top',
  top_left: 'left top',
  bottom_right: 'right bottom',
  bottom_left: 'left bottom',
};

/**
 * Contentful's Images API on sharp. Decisions where Contentful's documentation
 * is silent (pinned by golden-image tests, written in the README):
 * - without `fit`, an image is never enlarged (a box larger than the image
 *   returns it at its own size); `pad`, `fill`, `scale` and `thumb` fill the
 *   box they are given, enlarging if they must; `crop` never scales;
 * - padding and the corners of `r` are transparent in formats with alpha and
 *   white in JPEG, unless `bg` names a colour (JPEG output of a transparent
 *   source is flattened onto the same colour);
 * - EXIF orientation is applied first, so sizes are of the image as it is seen;
 *   no rendition carries EXIF (GPS included) or XMP; the ICC profile is kept;
 * - an animated GIF gives its first frame.
 */
export class ImageRenderer {
  constructor(
    private readonly maxPixels: number,
    private readonly faces: FaceLocator | undefined,
  ) {}

  /** The rendition of `input` that `params` asks for. */
  async render(input: ImageInput, params: ImageParams): Promise<RenderedImage> {
    const source = await this.inspect(input);
    const format = renditionFormatOf(params, source.format);
    const transparent = WITH_ALPHA.has(format) && params.background === undefined;
    const background = params.background ?? OPAQUE_BACKGROUND;

    const sharp = await loadSharp();
    let pipeline = this.open(sharp, input);
    pipeline = await this.resize(pipeline, input, source, params, transparent ? TRANSPARENT : background);
    if (params.radius !== undefined) pipeline = await roundCorners(sharp, pipeline, params.radius);
    if (!WITH_ALPHA.has(format) || (params.background !== undefined && params.radius !== undefined)) {
      pipeline = pipeline.flatten({ background });
    }
    const { data, info } = await encode(pipeline.keepIccProfile(), format, params)
      .toBuffer({ resolveWithObject: true })
      .catch((error: unknown) => {
        throw new ImageNotTransformableError((error as Error).message);
      });
    return { data, format, contentType: CONTENT_TYPE_OF_FORMAT[format], width: info.width, height: info.height };
  }

  /** The source's format and its size as displayed (EXIF orientation applied), refusing it over the pixel limit. */
  private async inspect(input: ImageInput): Promise<{ format: string | undefined; width: number; height: number }> {
    const sharp = await loadSharp();
    let metadata;
    try {
      metadata = await sharp(input, { limitInputPixels: false }).metadata();
    } catch (error) {
      throw new ImageNotTransformableError((error as Error).message);
    }
    const { width, height } = metadata.autoOrient;
    if (!width || !height) throw new ImageNotTransformableError('it has no dimensions');
    if (width * height > this.maxPixels) {
      throw new ImageNotTransformableError(`it is ${width}×${height} pixels, over the limit of ${this.maxPixels}`);
    }
    // sharp calls AVIF `heif` (its container); its AV1 compression is what makes it AVIF rather than HEIC.
    return { format: metadata.format === 'heif' && metadata.compression === 'av1' ? 'avif' : metadata.format, width, height };
  }

  private open(sharp: SharpLibraryFunction, input: ImageInput): Sharp {
    return sharp(input, { limitInputPixels: this.maxPixels, failOn: 'error', autoOrient: true });
  }

  private async resize(
    pipeline: Sharp,
    input: ImageInput,
    source: { width: number; height: number },
    params: ImageParams,
    background: string | typeof TRANSPARENT,
  ): Promise<Sharp> {
    const { width, height } = params;
    if (width === undefined && height === undefined) return pipeline;
    switch (params.fit) {
      case 'inside':
        return pipeline.resize({ width, height, fit: 'inside', withoutEnlargement: true });
      case 'scale':
        return pipeline.resize({ width, height, fit: 'fill' });
      case 'pad':
        return pipeline.resize({ width, height, fit: 'contain', background });
      case 'crop':
        return pipeline.extract(await this.cropRegion(input, source, params));
      case 'fill':
      case 'thumb':
        return this.cover(pipeline, input, source, params);
    }
  }

  /** `fill` and `thumb`: exactly the box, scaled to cover it, cut around the focus. */
  private async cover(pipeline: Sharp, input: ImageInput, source: { width: number; height: number }, params: ImageParams) {
    const box = boxOf(params, source);
    if (params.focus !== 'face' && params.focus !== 'faces') {
      return pipeline.resize({ ...box, fit: 'cover', position: POSITION_OF_FOCUS[params.focus] });
    }
    const faces = await this.findFaces(input, source, params.focus);
    if (faces === 'unavailable') return pipeline.resize({ ...box, fit: 'cover', position: (await loadSharp()).strategy.attention });
    if (faces === undefined) return pipeline.resize({ ...box, fit: 'cover', position: 'centre' });
    // A thumbnail is about the faces: first keep only their neighbourhood, then cover the box with it.
    const area = params.fit === 'thumb' ? thumbnailArea(faces, source, box.width / box.height) : source;
    const scale = Math.max(box.width / area.width, box.height / area.height);
    const scaled = {
      width: Math.max(box.width, Math.round(source.width * scale)),
      height: Math.max(box.height, Math.round(source.height * scale)),
    };
    const centre = { x: (faces.left + faces.width / 2) * scale, y: (faces.top + faces.height / 2) * scale };
    return pipeline.resize({ ...scaled, fit: 'fill' }).extract({
      left: clamp(Math.round(centre.x - box.width / 2), 0, scaled.width - box.width),
      top: clamp(Math.round(centre.y - box.height / 2), 0, scaled.height - box.height),
      ...box,
    });
  }

  /** `crop`: a region of the box's size (at most the image's), unscaled, placed by the focus. */
  private async cropRegion(input: ImageInput, source: { width: number; height: number }, params: ImageParams): Promise<Region> {
    const width = Math.min(params.width ?? source.width, source.width);
    const height = Math.min(params.height ?? source.height, source.height);
    const spare = { x: source.width - width, y: source.height - height };
    if (params.focus === 'face' || params.focus === 'faces') {
      const faces = await this.findFaces(input, source, params.focus);
      const centre =
        faces === undefined || faces === 'unavailable'
          ? { x: source.width / 2, y: source.height / 2 }
          : { x: faces.left + faces.width / 2, y: faces.top + faces.height / 2 };
      return {
        left: clamp(Math.round(centre.x - width / 2), 0, spare.x),
        top: clamp(Math.round(centre.y - height / 2), 0, spare.y),
        width,
        height,
      };
    }
    const position = POSITION_OF_FOCUS[params.focus];
    const left = position.includes('left') ? 0 : position.includes('right') ? spare.x : Math.round(spare.x / 2);
    const top = position.includes('top') ? 0 : position.includes('bottom') ? spare.y : Math.round(spare.y / 2);
    return { left, top, width, height };
  }

  /**
   * The region to keep for `face` (the largest face) or `faces` (all of
   * them), in source pixels; undefined when none is found, `unavailable`
   * without a detector.
   */
  private async findFaces(
    input: ImageInput,
    source: { width: number; height: number },
    focus: 'face' | 'faces',
  ): Promise<Region | undefined | 'unavailable'> {
    if (!this.faces?.available) return 'unavailable';
    const { data, info } = await this.open(await loadSharp(), input)
      .resize({ width: FACE_SEARCH_SIZE, height: FACE_SEARCH_SIZE, fit: 'inside', withoutEnlargement: true })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    let found;
    try {
      found = await this.faces.detect({ data, width: info.width, height: info.height, channels: 3 });
    } catch {
      // The detector failed or gave up (it logs why): the rendition is still made, around sharp's attention instead.
      return 'unavailable';
    }
    if (found.length === 0) return undefined;
    const chosen = focus === 'face' ? found.slice(0, 1) : found;
    const scale = source.width / info.width;
    const left = Math.min(...chosen.map((face) => face.left));
    const top = Math.min(...chosen.map((face) => face.top));
    const right = Math.max(...chosen.map((face) => face.left + face.width));
    const bottom = Math.max(...chosen.map((face) => face.top + face.height));
    return { left: left * scale, top: top * scale, width: (right - left) * scale, height: (bottom - top) * scale };
  }
}

/** The output box of a covering fit: both sides given, or the missing one from the source's aspect ratio. */
function boxOf(params: ImageParams, source: { width: number; height: number }): { width: number; height: number } {
  const width = params.width ?? Math.max(1, Math.round(((params.height ?? source.height) * source.width) / source.height));
  const height = params.height ?? Math.max(1, Math.round((width * source.height) / source.width));
  return { width, height };
}

/**
 * The size of what a `thumb` around faces shows: THUMB_FACE_MARGIN times the
 * faces' box, widened or heightened to the box's aspect ratio, at most the
 * whole image.
 */
function thumbnailArea(faces: Region, source: { width: number; height: number }, aspect: number): { width: number; height: number } {
  let width = faces.width * THUMB_FACE_MARGIN;
  let height = faces.height * THUMB_FACE_MARGIN;
  if (width / height < aspect) width = height * aspect;
  else height = width / aspect;
  return { width: Math.min(width, source.width), height: Math.min(height, source.height) };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max));
}

/** Rounds the corners of the image as it is after resizing (`max`: an ellipse touching the edges), leaving them transparent. */
async function roundCorners(sharp: SharpLibraryFunction, pipeline: Sharp, radius: number | 'max'): Promise<Sharp> {
  const { data, info } = await pipeline.ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = info;
  const rx = radius === 'max' ? width / 2 : Math.min(radius, width / 2);
  const ry = radius === 'max' ? height / 2 : Math.min(radius, height / 2);
  const mask = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="${width}" height="${height}" rx="${rx}" ry="${ry}"/></svg>`,
  );
  const masked = await sharp(data, { raw: { width, height, channels: 4 } })
    .composite([{ input: mask, blend: 'dest-in' }])
    .png({ compressionLevel: 0 })
    .toBuffer();
  return sharp(masked);
}

function encode(pipeline: Sharp, format: ImageFormat, params: ImageParams): Sharp {
  const quality = params.quality;
  switch (format) {
    case 'jpg':
      return pipeline.jpeg({ quality: quality ?? 80, progressive: params.flag === 'progressive' });
    case 'png':
      return params.flag === 'png8' ? pipeline.png({ palette: true, quality: quality ?? 100 }) : pipeline.png();
    case 'webp':
      return pipeline.webp({ quality: quality ?? 80 });
    case 'gif':
      return pipeline.gif();
    case 'avif':
      // Effort 2 of 9: AVIF's default effort costs seconds per image on two cores for a few per cent of size.
      return pipeline.avif({ quality: quality ?? 50, effort: 2 });
    case 'tiff':
      return pipeline.tiff({ quality: quality ?? 80 });
  }
}
