import { crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A real image of the given size and format, made with sharp. */
export async function makeImage(width: number, height: number, format: 'png' | 'jpeg' | 'webp' = 'png', noise = false): Promise<Buffer> {
  const base = noise
    ? sharp({ create: { width, height, channels: 3, background: { r: 0, g: 0, b: 0 }, noise: { type: 'gaussian', mean: 128, sigma: 30 } } })
    : sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } });
  return base.toFormat(format).toBuffer();
}

/**
 * A JPEG of one colour with the EXIF a camera would write: an orientation tag
 * (the pixels stay as given: a viewer turns them) and a GPS position in the
 * GPS IFD, which sharp's `withExif` names `IFD3` after libvips' `exif-ifd3-*` fields.
 */
export async function makePhoto(
  width: number,
  height: number,
  exif: { orientation?: number; gps?: { latitude: number; longitude: number } } = {},
): Promise<Buffer> {
  let photo = sharp({ create: { width, height, channels: 3, background: { r: 90, g: 120, b: 150 } } }).jpeg();
  if (exif.gps) {
    photo = photo.withExif({
      IFD3: {
        GPSLatitudeRef: exif.gps.latitude < 0 ? 'S' : 'N',
        GPSLatitude: degreesAsRationals(exif.gps.latitude),
        GPSLongitudeRef: exif.gps.longitude < 0 ? 'W' : 'E',
        GPSLongitude: degreesAsRationals(exif.gps.longitude),
      },
    });
  }
  if (exif.orientation !== undefined) photo = photo.withMetadata({ orientation: exif.orientation });
  return photo.toBuffer();
}

/** EXIF's degrees, minutes, seconds as three rationals (`51/1 30/1 1234/100`), in libvips' string form. */
function degreesAsRationals(value: number): string {
  const degrees = Math.floor(Math.abs(value));
  const minutes = Math.floor((Math.abs(value) - degrees) * 60);
  const hundredthsOfSeconds = Math.round(((Math.abs(value) - degrees) * 60 - minutes) * 6000);
  return `${degrees}/1 ${minutes}/1 ${hundredthsOfSeconds}/100`;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A tiny PNG whose header claims `width`×`height` pixels: a decompression bomb as far as metadata goes. */
export function pngClaiming(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8); // bit depth
  header.writeUInt8(2, 9); // truecolour
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.alloc(16)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
