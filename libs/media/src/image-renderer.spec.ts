import sharp from 'sharp';
import { type ImageParams, parseImageParams } from './image-params';
import { type FaceLocator, ImageNotTransformableError, ImageRenderer } from './image-renderer';

/**
 * Golden renditions: sizes, formats and pixels known from the images built
 * here, never from the renderer's own report. The decisions Contentful's
 * documentation leaves open (no enlarging without `fit`, the padding colour)
 * are pinned here.
 */
const RED = { r: 255, g: 0, b: 0 };
const BLUE = { r: 0, g: 0, b: 255 };
const MAX_PIXELS = 100_000_000;

/** Left half red, right half blue (landscape) or top half red, bottom half blue (portrait). */
async function halves(width: number, height: number, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const landscape = width >= height;
  const half = { width: landscape ? width / 2 : width, height: landscape ? height : height / 2 };
  const blue = await sharp({ create: { ...half, channels: 3, background: BLUE } })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: RED } })
    .composite([{ input: blue, left: landscape ? width / 2 : 0, top: landscape ? 0 : height / 2 }])
    .toFormat(format)
    .toBuffer();
}

const query = (text: string): ImageParams => parseImageParams(Object.fromEntries(new URLSearchParams(text)));

async function pixel(image: Buffer, x: number, y: number): Promise<{ r: number; g: number; b: number; a: number }> {
  const { data, info } = await sharp(image).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const at = (y * info.width + x) * 4;
  return { r: data[at] ?? -1, g: data[at + 1] ?? -1, b: data[at + 2] ?? -1, a: data[at + 3] ?? -1 };
}

const near = (actual: number, expected: number) => Math.abs(actual - expected) <= 12;

describe('ImageRenderer', () => {
  const renderer = new ImageRenderer(MAX_PIXELS, undefined);
  let landscape: Buffer;
  let portrait: Buffer;

  beforeAll(async () => {
    landscape = await halves(400, 200);
    portrait = await halves(200, 400);
  });

  describe.each([
    ['landscape 400×200', () => landscape, { inside: [100, 50], onlyWidth: [100, 50] }],
    ['portrait 200×400', () => portrait, { inside: [50, 100], onlyWidth: [100, 200] }],
  ])('every fit, %s', (_name, source, expected) => {
    test.each([
      ['w=100&h=100', expected.inside],
      ['w=100&h=100&fit=pad', [100, 100]],
      ['w=100&h=100&fit=fill', [100, 100]],
      ['w=100&h=100&fit=scale', [100, 100]],
      ['w=100&h=100&fit=crop', [100, 100]],
      ['w=100&h=100&fit=thumb', [100, 100]],
      ['w=100', expected.onlyWidth],
      ['w=100&fit=pad', expected.onlyWidth],
      ['w=100&fit=fill', expected.onlyWidth],
      ['w=100&fit=thumb', expected.onlyWidth],
    ])('%s → %j', async (text, [width, height]) => {
      const rendered = await renderer.render(source(), query(text));
      const metadata = await sharp(rendered.data).metadata();
      expect([metadata.width, metadata.height]).toEqual([width, height]);
      expect(metadata.format).toBe('png');
      expect(rendered.contentType).toBe('image/png');
    });
  });

  test('without fit an image is never enlarged; fill, scale and pad fill a box larger than the image', async () => {
    const sizeOf = async (text: string) => {
      const metadata = await sharp((await renderer.render(landscape, query(text))).data).metadata();
      return [metadata.width, metadata.height];
    };
    expect(await sizeOf('w=800&h=800')).toEqual([400, 200]);
    expect(await sizeOf('w=800&h=800&fit=fill')).toEqual([800, 800]);
    expect(await sizeOf('w=800&h=600&fit=scale')).toEqual([800, 600]);
    expect(await sizeOf('w=800&h=800&fit=pad')).toEqual([800, 800]);
    // crop never scales: a box larger than the image is the whole image.
    expect(await sizeOf('w=1000&h=100&fit=crop')).toEqual([400, 100]);
  });

  test('crop and fill keep the part the focus names', async () => {
    const colourOf = async (text: string) => {
      const rendered = await renderer.render(landscape, query(text));
      const { r, b } = await pixel(rendered.data, 10, 10);
      return r > 200 && b < 50 ? 'red' : b > 200 && r < 50 ? 'blue' : `mixed(${r},${b})`;
    };
    expect(await colourOf('w=100&h=100&fit=crop&f=left')).toBe('red');
    expect(await colourOf('w=100&h=100&fit=crop&f=right')).toBe('blue');
    expect(await colourOf('w=100&h=100&fit=crop&f=top_right')).toBe('blue');
    expect(await colourOf('w=100&h=100&fit=fill&f=left')).toBe('red');
    expect(await colourOf('w=100&h=100&fit=fill&f=bottom_right')).toBe('blue');
  });

  test('padding is transparent with alpha, white in JPEG, and bg where given', async () => {
    const padded = async (text: string) => (await renderer.render(landscape, query(`w=100&h=100&fit=pad&${text}`))).data;
    // The image is 100×50 in the middle: rows 0–24 are padding.
    expect((await pixel(await padded('fm=png'), 50, 5)).a).toBe(0);
    const jpeg = await pixel(await padded('fm=jpg'), 50, 5);
    expect([jpeg.r, jpeg.g, jpeg.b].every((value) => near(value, 255))).toBe(true);
    const green = await pixel(await padded('fm=png&bg=rgb:00ff00'), 50, 5);
    expect([green.r, green.g, green.b, green.a]).toEqual([0, 255, 0, 255]);
    // The image itself is untouched in the middle.
    expect((await pixel(await padded('fm=png'), 10, 50)).r).toBe(255);
  });

  test('r rounds corners: transparent with alpha, bg or white without', async () => {
    const circle = (await renderer.render(landscape, query('w=100&h=100&fit=fill&r=max'))).data;
    expect((await pixel(circle, 0, 0)).a).toBe(0);
    expect((await pixel(circle, 50, 50)).a).toBe(255);
    expect((await pixel(circle, 50, 1)).a).toBeGreaterThan(200); // the top edge's middle is inside the circle
    const rounded = (await renderer.render(landscape, query('w=100&h=100&fit=fill&r=20&fm=jpg'))).data;
    const corner = await pixel(rounded, 1, 1);
    expect([corner.r, corner.g, corner.b].every((value) => near(value, 255))).toBe(true);
    const yellow = (await renderer.render(landscape, query('w=100&h=100&fit=fill&r=20&bg=rgb:ffff00'))).data;
    expect(await pixel(yellow, 1, 1)).toEqual({ r: 255, g: 255, b: 0, a: 255 });
    // 20 px in from the corner along the diagonal is inside the rounded rectangle.
    expect((await pixel(rounded, 25, 25)).r).toBeGreaterThan(200);
  });

  test('q trades size for quality; fl=progressive makes a progressive JPEG; fl=png8 a palette PNG', async () => {
    const noisy = await sharp({
      create: { width: 300, height: 300, channels: 3, background: RED, noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .png()
      .toBuffer();
    const low = await renderer.render(noisy, query('fm=jpg&q=10'));
    const high = await renderer.render(noisy, query('fm=jpg&q=90'));
    expect(low.data.length * 2).toBeLessThan(high.data.length);
    expect((await sharp(high.data).metadata()).isProgressive).toBe(false);
    const progressive = await renderer.render(noisy, query('fm=jpg&fl=progressive'));
    expect((await sharp(progressive.data).metadata()).isProgressive).toBe(true);
    // A progressive JPEG's frame is SOF2 (FF C2), a baseline one SOF0.
    expect(progressive.data.includes(Buffer.from([0xff, 0xc2]))).toBe(true);
    const palette = await renderer.render(landscape, query('fm=png&fl=png8'));
    expect((await sharp(palette.data).metadata()).isPalette).toBe(true);
  });

  test.each([
    ['jpg', 'jpeg', 'image/jpeg'],
    ['png', 'png', 'image/png'],
    ['webp', 'webp', 'image/webp'],
    ['gif', 'gif', 'image/gif'],
    ['avif', 'heif', 'image/avif'],
    ['tiff', 'tiff', 'image/tiff'],
  ])('fm=%s writes %s', async (fm, sharpFormat, contentType) => {
    const rendered = await renderer.render(landscape, query(`w=40&fm=${fm}`));
    const metadata = await sharp(rendered.data).metadata();
    expect(metadata.format).toBe(sharpFormat);
    expect(metadata.width).toBe(40);
    expect(rendered.contentType).toBe(contentType);
    if (fm === 'avif') expect(metadata.compression).toBe('av1');
  });

  test('without fm the source format is kept; fl for another format is refused', async () => {
    const jpeg = await halves(400, 200, 'jpeg');
    expect((await renderer.render(jpeg, query('w=50'))).contentType).toBe('image/jpeg');
    await expect(renderer.render(landscape, query('fl=progressive'))).rejects.toMatchObject({ details: { parameter: 'fl' } });
    await expect(renderer.render(jpeg, query('fl=png8'))).rejects.toMatchObject({ details: { parameter: 'fl' } });
  });

  test('EXIF orientation is applied; no EXIF (GPS included) goes out; the ICC profile stays', async () => {
    const rotated = await sharp({ create: { width: 40, height: 20, channels: 3, background: RED } })
      .jpeg()
      .withIccProfile('p3')
      .withExif({ IFD0: { Make: 'Hangar test camera' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const source = await sharp(rotated).metadata();
    expect(source.orientation).toBe(6);
    expect(source.exif?.includes('Hangar test camera')).toBe(true);
    const rendered = await renderer.render(rotated, query('fm=png'));
    const metadata = await sharp(rendered.data).metadata();
    expect([metadata.width, metadata.height]).toEqual([20, 40]);
    expect(metadata.exif).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
    expect(metadata.icc).toBeDefined();
    const resized = await sharp((await renderer.render(rotated, query('w=10'))).data).metadata();
    expect([resized.width, resized.height, resized.exif]).toEqual([10, 20, undefined]);
  });

  test('refuses an image over the pixel limit before decoding it', async () => {
    const bomb = await sharp({ create: { width: 12_000, height: 12_000, channels: 3, background: RED } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    const small = new ImageRenderer(100_000_000, undefined);
    await expect(small.render(bomb, query('w=100'))).rejects.toThrow(ImageNotTransformableError);
    await expect(small.render(bomb, query('w=100'))).rejects.toThrow('12000×12000 pixels, over the limit of 100000000');
    await expect(renderer.render(Buffer.from('%PDF-1.4 not an image'), query('w=10'))).rejects.toThrow(ImageNotTransformableError);
  });

  describe('f=face and f=faces', () => {
    /** A detector that reports one face box (in the coordinates of the copy it is given) and remembers what it saw. */
    function detectorFinding(box: { left: number; top: number; width: number; height: number }[]) {
      const seen: { width: number; height: number }[] = [];
      const locator: FaceLocator = {
        available: true,
        detect: (pixels) => {
          seen.push({ width: pixels.width, height: pixels.height });
          return Promise.resolve(box.map((face) => ({ ...face, score: 0.9 })));
        },
      };
      return { locator, seen };
    }

    test('crop and thumb centre on the largest face; faces on all of them', async () => {
      // 400×200 source, searched at its own size (smaller than 640): a "face" in the blue half, at x 300–340.
      const { locator, seen } = detectorFinding([
        { left: 300, top: 80, width: 40, height: 40 },
        { left: 20, top: 80, width: 20, height: 20 },
      ]);
      const withFaces = new ImageRenderer(MAX_PIXELS, locator);
      const crop = await withFaces.render(landscape, query('w=100&h=100&fit=crop&f=face'));
      expect((await pixel(crop.data, 50, 50)).b).toBe(255);
      expect(seen[0]).toEqual({ width: 400, height: 200 });
      const thumb = await withFaces.render(landscape, query('w=50&h=50&fit=thumb&f=face'));
      const thumbMeta = await sharp(thumb.data).metadata();
      expect([thumbMeta.width, thumbMeta.height]).toEqual([50, 50]);
      expect((await pixel(thumb.data, 25, 25)).b).toBe(255);
      // Both faces: a box around x 20–340 centred at x 180, in the red half.
      const both = await withFaces.render(landscape, query('w=100&h=100&fit=crop&f=faces'));
      expect((await pixel(both.data, 50, 50)).r).toBe(255);
    });

    test('no face found: the centre; no detector: sharp’s attention strategy (a box of the asked size)', async () => {
      const none = new ImageRenderer(MAX_PIXELS, detectorFinding([]).locator);
      const centred = await none.render(landscape, query('w=100&h=100&fit=crop&f=face'));
      // The centre column (x 200) is the border between red and blue: left of it red, right blue.
      expect((await pixel(centred.data, 45, 50)).r).toBe(255);
      expect((await pixel(centred.data, 55, 50)).b).toBe(255);
      const fallback = await renderer.render(landscape, query('w=100&h=100&fit=thumb&f=faces'));
      const metadata = await sharp(fallback.data).metadata();
      expect([metadata.width, metadata.height]).toEqual([100, 100]);
    });
  });
});
