import { HangarError } from '@hangar/domain';

/**
 * Contentful's Images API parameters, read from a delivery URL's query and
 * checked once, here: every rendition (asset files, public files, signed
 * URLs) goes through {@link parseImageParams}, and what it returns is the
 * normalised form that names the cached rendition.
 */

/** Output formats, as `fm` names them. */
export const IMAGE_FORMATS = ['jpg', 'png', 'webp', 'gif', 'avif', 'tiff'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** Resize behaviours (`fit`); `inside` is Contentful's default (no `fit`): fit within the box, keep the aspect ratio. */
export const IMAGE_FITS = ['pad', 'fill', 'scale', 'crop', 'thumb'] as const;
export type ImageFit = (typeof IMAGE_FITS)[number] | 'inside';

/** Focus areas (`f`) for `fill`, `crop` and `thumb`. */
export const IMAGE_FOCUS = [
  'center',
  'top',
  'right',
  'left',
  'bottom',
  'top_right',
  'top_left',
  'bottom_right',
  'bottom_left',
  'face',
  'faces',
] as const;
export type ImageFocus = (typeof IMAGE_FOCUS)[number];

export const IMAGE_FLAGS = ['progressive', 'png8'] as const;
export type ImageFlag = (typeof IMAGE_FLAGS)[number];

/** The largest `w` and `h` (Contentful's limit). */
export const MAX_IMAGE_DIMENSION = 4000;

/** The query parameters that ask for a rendition; any of them present means the original is not what is wanted. */
export const IMAGE_PARAMETER_NAMES = ['w', 'h', 'fit', 'f', 'r', 'q', 'fm', 'fl', 'bg'] as const;
type ImageParameterName = (typeof IMAGE_PARAMETER_NAMES)[number];

/** A rendition request, checked and normalised (absent parameters are undefined). */
export interface ImageParams {
  readonly width?: number | undefined;
  readonly height?: number | undefined;
  readonly fit: ImageFit;
  readonly focus: ImageFocus;
  /** Corner radius in pixels, or `max` for a circle (ellipse). */
  readonly radius?: number | 'max' | undefined;
  readonly quality?: number | undefined;
  /** The output format asked for; undefined keeps the source's (see renditionFormatOf). */
  readonly format?: ImageFormat | undefined;
  readonly flag?: ImageFlag | undefined;
  /** `#rrggbb`. */
  readonly background?: string | undefined;
}

/** 400 BadRequest naming the parameter and saying what it accepts. */
export class InvalidImageParameterError extends HangarError {
  constructor(parameter: string, accepted: string) {
    super('BadRequest', `Invalid image parameter ${parameter}: ${accepted}.`, { parameter, accepted });
  }
}

/** Whether a query asks for a rendition at all (a URL without these serves the original bytes). */
export function wantsRendition(query: Readonly<Record<string, unknown>>): boolean {
  return IMAGE_PARAMETER_NAMES.some((name) => query[name] !== undefined);
}

/**
 * The Images API parameters of a query exactly as given, in a fixed order
 * (`w=200&fm=webp`; empty when there are none): what a signed URL's
 * signature covers, so that a URL signed for one rendition serves no other.
 * Checked first (a 400 for a wrong one).
 */
export function renditionQueryOf(query: Readonly<Record<string, unknown>>): Record<string, string> {
  parseImageParams(query);
  const given: Record<string, string> = {};
  for (const name of IMAGE_PARAMETER_NAMES) {
    const value = query[name];
    if (typeof value === 'string') given[name] = value;
  }
  return given;
}

/**
 * The rendition a query asks for, or a 400 naming the first parameter that
 * is wrong. Each parameter may appear once. Other parameters (a cache-buster,
 * a signed URL's own) are not the Images API's and are left to their owners.
 */
export function parseImageParams(query: Readonly<Record<string, unknown>>): ImageParams {
  const width = dimension(query, 'w');
  const height = dimension(query, 'h');
  const fit = oneOf(query, 'fit', IMAGE_FITS);
  const focus = oneOf(query, 'f', IMAGE_FOCUS);
  const format = oneOf(query, 'fm', IMAGE_FORMATS);
  const flag = oneOf(query, 'fl', IMAGE_FLAGS);
  const quality = integer(query, 'q', 1, 100, 'a whole number from 1 to 100');
  const radius = radiusOf(query);
  const background = backgroundOf(query);
  if (fit !== undefined && width === undefined && height === undefined) {
    throw new InvalidImageParameterError('fit', `fit=${fit} needs w, h or both`);
  }
  if (flag === 'progressive' && format !== undefined && format !== 'jpg') {
    throw new InvalidImageParameterError('fl', 'fl=progressive applies to JPEG output only (fm=jpg)');
  }
  if (flag === 'png8' && format !== undefined && format !== 'png') {
    throw new InvalidImageParameterError('fl', 'fl=png8 applies to PNG output only (fm=png)');
  }
  return { width, height, fit: fit ?? 'inside', focus: focus ?? 'center', radius, quality, format, flag, background };
}

/**
 * The format a rendition is written in: the one asked for, else the
 * source's when it is one of the six, else JPEG. `fl` must suit it: a flag
 * for another format, with `fm` left out, is refused here, once the source's
 * format is known.
 */
export function renditionFormatOf(params: ImageParams, sourceFormat: string | undefined): ImageFormat {
  const format = params.format ?? sourceFormatOf(sourceFormat);
  if (params.flag === 'progressive' && format !== 'jpg') {
    throw new InvalidImageParameterError('fl', `fl=progressive applies to JPEG output only; this image is ${format} (add fm=jpg)`);
  }
  if (params.flag === 'png8' && format !== 'png') {
    throw new InvalidImageParameterError('fl', `fl=png8 applies to PNG output only; this image is ${format} (add fm=png)`);
  }
  return format;
}

/**
 * The normalised form of a rendition request for a given output format: the
 * same rendition always gives the same text, however its query was written
 * (order, `f=center` spelled out or not, `fm` named or implied), so it names
 * one cached object. A new parameter gets a new letter at the end.
 */
export function canonicalRendition(params: ImageParams, format: ImageFormat): string {
  const parts: [string, string | number | undefined][] = [
    ['w', params.width],
    ['h', params.height],
    ['fit', params.fit],
    ['f', appliesFocus(params.fit) ? params.focus : undefined],
    ['r', params.radius],
    ['q', params.quality],
    ['fm', format],
    ['fl', params.flag],
    ['bg', params.background],
  ];
  return parts
    .filter((part): part is [string, string | number] => part[1] !== undefined)
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** The fits that choose which part of the image to keep (`f` means nothing to the others). */
export function appliesFocus(fit: ImageFit): boolean {
  return fit === 'fill' || fit === 'crop' || fit === 'thumb';
}

const SOURCE_FORMATS: Readonly<Record<string, ImageFormat>> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  gif: 'gif',
  tiff: 'tiff',
  avif: 'avif',
};

function sourceFormatOf(format: string | undefined): ImageFormat {
  return (format !== undefined ? SOURCE_FORMATS[format] : undefined) ?? 'jpg';
}

/** The one value of a parameter, or undefined; a repeated parameter is refused (which one would win is anyone's guess). */
function single(query: Readonly<Record<string, unknown>>, name: ImageParameterName): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidImageParameterError(name, 'it may be given once, as a plain value');
  return value;
}

function integer(query: Readonly<Record<string, unknown>>, name: ImageParameterName, min: number, max: number, accepted: string) {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,5}$/.test(value)) throw new InvalidImageParameterError(name, accepted);
  const number = Number(value);
  if (number < min || number > max) throw new InvalidImageParameterError(name, accepted);
  return number;
}

function dimension(query: Readonly<Record<string, unknown>>, name: 'w' | 'h'): number | undefined {
  return integer(query, name, 1, MAX_IMAGE_DIMENSION, `a whole number of pixels from 1 to ${MAX_IMAGE_DIMENSION}`);
}

function oneOf<T extends string>(query: Readonly<Record<string, unknown>>, name: ImageParameterName, values: readonly T[]): T | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) throw new InvalidImageParameterError(name, `one of ${values.join(', ')}`);
  return value as T;
}

function radiusOf(query: Readonly<Record<string, unknown>>): number | 'max' | undefined {
  if (query.r === 'max') return 'max';
  return integer(query, 'r', 0, MAX_IMAGE_DIMENSION, `a whole number of pixels from 0 to ${MAX_IMAGE_DIMENSION}, or max`) || undefined;
}

function backgroundOf(query: Readonly<Record<string, unknown>>): string | undefined {
  const value = single(query, 'bg');
  if (value === undefined) return undefined;
  const match = /^rgb:([0-9a-fA-F]{6})$/.exec(value);
  if (!match?.[1]) throw new InvalidImageParameterError('bg', 'a colour as rgb:RRGGBB (six hexadecimal digits)');
  return `#${match[1].toLowerCase()}`;
}
