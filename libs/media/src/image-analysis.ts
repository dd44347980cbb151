import { load as loadExif } from 'exifreader';

/** ThumbHash encodes images of at most this many pixels a side (it throws beyond). */
export const THUMBHASH_MAX_SIDE = 100;

/**
 * The EXIF GPS tags that say where a photo was taken (or what it shows):
 * the camera's position and the destination's, and a named area. A GPS IFD
 * holding only its version, a time stamp, an altitude or a direction locates
 * nothing, and some cameras write one with GPS switched off.
 */
export const GPS_POSITION_TAGS = ['GPSLatitude', 'GPSLongitude', 'GPSDestLatitude', 'GPSDestLongitude', 'GPSAreaInformation'] as const;

/** libvips hands EXIF over as an APP1 payload: this identifier, then the TIFF structure ExifReader parses. */
const EXIF_IDENTIFIER = Buffer.from('Exif\0\0', 'latin1');

/** An alpha of at least this counts as opaque for the dominant colour: anti-aliased edges and holes do not. */
const OPAQUE_ALPHA = 128;

/**
 * Whether an EXIF block (sharp's `metadata().exif`) holds any of
 * {@link GPS_POSITION_TAGS}. A block ExifReader cannot parse counts as none:
 * what cannot be read cannot be reported.
 */
export function hasGpsPosition(exif: Buffer | undefined): boolean {
  if (exif === undefined || exif.length === 0) return false;
  const tiff = exif.subarray(0, EXIF_IDENTIFIER.length).equals(EXIF_IDENTIFIER) ? exif.subarray(EXIF_IDENTIFIER.length) : exif;
  try {
    const tags = loadExif(tiff, { includeTags: { exif: [...GPS_POSITION_TAGS] } });
    return GPS_POSITION_TAGS.some((name) => Object.hasOwn(tags, name));
  } catch {
    return false;
  }
}

/** The EXIF orientation when it is one of the eight EXIF defines (sharp reports whatever the tag holds). */
export function exifOrientationOf(orientation: number | undefined): number | undefined {
  return orientation !== undefined && Number.isInteger(orientation) && orientation >= 1 && orientation <= 8 ? orientation : undefined;
}

/** `#rrggbb`, lower case. */
export function hexColor(colour: { r: number; g: number; b: number }): string {
  const channel = (value: number) =>
    Math.min(255, Math.max(0, Math.round(value)))
      .toString(16)
      .padStart(2, '0');
  return `#${channel(colour.r)}${channel(colour.g)}${channel(colour.b)}`;
}

/**
 * The RGB of the mostly opaque pixels of an RGBA buffer (alpha ≥ 128), one
 * after the other; of every pixel when none is. A logo on a transparent
 * background would otherwise have the colour its transparent pixels happen
 * to store (usually black) as its dominant colour.
 */
export function opaqueRgb(rgba: Uint8Array): { rgb: Buffer; pixels: number } {
  const total = Math.floor(rgba.length / 4);
  let opaque = 0;
  for (let pixel = 0; pixel < total; pixel += 1) if ((rgba[pixel * 4 + 3] ?? 0) >= OPAQUE_ALPHA) opaque += 1;
  const keepAll = opaque === 0;
  const rgb = Buffer.alloc((keepAll ? total : opaque) * 3);
  let out = 0;
  for (let pixel = 0; pixel < total; pixel += 1) {
    const at = pixel * 4;
    if (!keepAll && (rgba[at + 3] ?? 0) < OPAQUE_ALPHA) continue;
    rgb[out] = rgba[at] ?? 0;
    rgb[out + 1] = rgba[at + 1] ?? 0;
    rgb[out + 2] = rgba[at + 2] ?? 0;
    out += 3;
  }
  return { rgb, pixels: keepAll ? total : opaque };
}

/** The ThumbHash of an RGBA image of at most {@link THUMBHASH_MAX_SIDE} pixels a side, base64. */
export async function thumbHashBase64(width: number, height: number, rgba: Uint8Array): Promise<string> {
  if (width > THUMBHASH_MAX_SIDE || height > THUMBHASH_MAX_SIDE) {
    throw new RangeError(`A ThumbHash is made from at most ${THUMBHASH_MAX_SIDE}×${THUMBHASH_MAX_SIDE} pixels, not ${width}×${height}.`);
  }
  // thumbhash is published as an ES module only.
  const { rgbaToThumbHash } = await import('thumbhash');
  return Buffer.from(rgbaToThumbHash(width, height, rgba)).toString('base64');
}
