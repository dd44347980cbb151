import sharp from 'sharp';
import { exifOrientationOf, GPS_POSITION_TAGS, hasGpsPosition, hexColor, opaqueRgb, thumbHashBase64 } from './image-analysis';

/** The EXIF block libvips reads back from a JPEG written with these IFDs (IFD3 is libvips' name for the GPS IFD). */
async function exifWith(exif: sharp.Exif): Promise<Buffer | undefined> {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .jpeg()
    .withExif(exif)
    .toBuffer();
  return (await sharp(jpeg).metadata()).exif;
}

describe('hasGpsPosition', () => {
  it('finds a latitude and longitude in the GPS IFD', async () => {
    const exif = await exifWith({
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' },
    });
    expect(hasGpsPosition(exif)).toBe(true);
  });

  it.each(GPS_POSITION_TAGS)('counts %s alone', async (tag) => {
    // libvips parses each value by the tag's EXIF type: rationals for coordinates, bytes for the area's name.
    const value = tag === 'GPSAreaInformation' ? 'Harbour' : '51/1 30/1 0/1';
    expect(hasGpsPosition(await exifWith({ IFD3: { [tag]: value } }))).toBe(true);
  });

  it('does not count a GPS IFD that locates nothing (version, altitude), nor EXIF without one', async () => {
    expect(hasGpsPosition(await exifWith({ IFD3: { GPSVersionID: '2 2 0 0', GPSAltitude: '10/1' } }))).toBe(false);
    expect(hasGpsPosition(await exifWith({ IFD0: { Copyright: 'Hangar' } }))).toBe(false);
  });

  it('answers false for no EXIF, an empty block and one it cannot parse', () => {
    expect(hasGpsPosition(undefined)).toBe(false);
    expect(hasGpsPosition(Buffer.alloc(0))).toBe(false);
    expect(hasGpsPosition(Buffer.from('Exif\0\0not a TIFF structure', 'latin1'))).toBe(false);
  });

  it('reads a block without the APP1 identifier as well', async () => {
    const exif = await exifWith({ IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '33/1 52/1 0/1' } });
    expect(hasGpsPosition(exif?.subarray(6))).toBe(true);
  });
});

describe('exifOrientationOf', () => {
  it('keeps the eight EXIF orientations and drops anything else', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(exifOrientationOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([undefined, 0, 9, 6.5, -1].map(exifOrientationOf)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('hexColor', () => {
  it('writes #rrggbb, rounding and clamping', () => {
    expect(hexColor({ r: 200, g: 80, b: 4 })).toBe('#c85004');
    expect(hexColor({ r: 0, g: 255, b: 15.6 })).toBe('#00ff10');
    expect(hexColor({ r: -3, g: 300, b: 0 })).toBe('#00ff00');
  });
});

describe('opaqueRgb', () => {
  it('keeps the pixels of alpha 128 and more', () => {
    const rgba = Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 0, 7, 8, 9, 128, 10, 11, 12, 127]);
    expect(opaqueRgb(rgba)).toEqual({ rgb: Buffer.from([1, 2, 3, 7, 8, 9]), pixels: 2 });
  });

  it('keeps every pixel when none is opaque', () => {
    const rgba = Uint8Array.from([1, 2, 3, 0, 4, 5, 6, 10]);
    expect(opaqueRgb(rgba)).toEqual({ rgb: Buffer.from([1, 2, 3, 4, 5, 6]), pixels: 2 });
  });
});

describe('thumbHashBase64', () => {
  it('encodes an image of up to 100×100 that decodes to its aspect ratio and average colour', async () => {
    const { thumbHashToApproximateAspectRatio, thumbHashToAverageRGBA } = await import('thumbhash');
    const rgba = new Uint8Array(100 * 50 * 4);
    for (let at = 0; at < rgba.length; at += 4) rgba.set([200, 80, 40, 255], at);
    const hash = Buffer.from(await thumbHashBase64(100, 50, rgba), 'base64');
    expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(2, 0);
    const average = thumbHashToAverageRGBA(hash);
    expect([average.r * 255, average.g * 255, average.b * 255, average.a]).toEqual([
      expect.closeTo(200, -1),
      expect.closeTo(80, -1),
      expect.closeTo(40, -1),
      1,
    ]);
  });

  it('encodes a single pixel', async () => {
    await expect(thumbHashBase64(1, 1, Uint8Array.from([0, 0, 0, 255]))).resolves.toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  it('refuses more than 100 pixels a side rather than let thumbhash throw deep inside', async () => {
    await expect(thumbHashBase64(101, 1, new Uint8Array(101 * 4))).rejects.toThrow(RangeError);
  });
});
