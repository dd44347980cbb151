import { Readable } from 'node:stream';
import sharp from 'sharp';
import type { AppConfig } from '@hangar/config';
import { type ImageSource, MediaInspector, MediaRejectedError } from './media-inspector.service';

const MAX_PIXELS = 1_000_000;
const ANALYSIS_MAX_BYTES = 64 * 1024;

function inspector(analysisMaxBytes = ANALYSIS_MAX_BYTES): MediaInspector {
  return new MediaInspector({ images: { maxPixels: MAX_PIXELS, analysisMaxBytes } } as AppConfig);
}

/** A source over bytes in memory that counts how it is read. */
function sourceOf(bytes: Buffer, size = bytes.length) {
  const reads = { heads: 0, opens: 0 };
  const source: ImageSource = {
    size,
    readHead: (count) => {
      reads.heads += 1;
      return Promise.resolve(bytes.subarray(0, count));
    },
    open: () => {
      reads.opens += 1;
      return Promise.resolve(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
    },
  };
  return { source, reads };
}

const solid = (width: number, height: number, background: sharp.Color) => sharp({ create: { width, height, channels: 3, background } });

describe('MediaInspector.inspectImage', () => {
  it('reports the displayed size and the orientation of an EXIF-orientation-6 JPEG, reading it once', async () => {
    const jpeg = await solid(40, 20, '#3366cc').jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const { source, reads } = sourceOf(jpeg);
    const facts = await inspector().inspectImage(source);
    expect(facts.size).toEqual({ width: 20, height: 40 });
    expect(facts.analysis).toMatchObject({ exifOrientation: 6, hasGps: false });
    expect(reads).toEqual({ heads: 0, opens: 1 });
  });

  /** sharp's dominant colour is the centre of a 4096-bin histogram's fullest bin: 16 levels a channel, so within 16 of the truth. */
  const channelsOf = (hex: string | undefined) => [1, 3, 5].map((at) => parseInt((hex ?? '').slice(at, at + 2), 16));
  const expectColourNear = (hex: string | undefined, expected: number[]) => {
    expect(hex).toMatch(/^#[0-9a-f]{6}$/);
    const distance = Math.max(...channelsOf(hex).map((value, channel) => Math.abs(value - (expected[channel] ?? NaN))));
    expect(distance).toBeLessThanOrEqual(16);
  };

  it('gives the dominant colour of a solid image and of the opaque part of a transparent one', async () => {
    const png = await solid(30, 30, '#c85028').png().toBuffer();
    expectColourNear((await inspector().inspectImage(sourceOf(png).source)).analysis?.dominantColor, [0xc8, 0x50, 0x28]);
    // A small green mark on a large transparent field (whose pixels store black).
    const mark = await solid(10, 10, '#20a040').png().toBuffer();
    const logo = await sharp({ create: { width: 80, height: 80, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: mark, left: 35, top: 35 }])
      .png()
      .toBuffer();
    expectColourNear((await inspector().inspectImage(sourceOf(logo).source)).analysis?.dominantColor, [0x20, 0xa0, 0x40]);
  });

  it('makes a ThumbHash of the upright image from at most 100×100 pixels', async () => {
    const { thumbHashToApproximateAspectRatio } = await import('thumbhash');
    // 3:2 on its side: a ThumbHash's aspect ratio is a ratio of small integers (7:5 here), so within 10% only for some shapes.
    const jpeg = await solid(600, 400, '#808080').jpeg().withMetadata({ orientation: 8 }).toBuffer();
    const facts = await inspector().inspectImage(sourceOf(jpeg).source);
    expect(facts.size).toEqual({ width: 400, height: 600 });
    const ratio = thumbHashToApproximateAspectRatio(Buffer.from(facts.analysis?.thumbhash ?? '', 'base64'));
    expect(ratio).toBeGreaterThan((2 / 3) * 0.9);
    expect(ratio).toBeLessThan((2 / 3) * 1.1);
  });

  it('measures an image over the analysis size from its header only, with no analysis', async () => {
    const jpeg = await solid(40, 20, '#3366cc').jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const { source, reads } = sourceOf(jpeg);
    const facts = await inspector(jpeg.length - 1).inspectImage(source);
    expect(facts).toEqual({ size: { width: 20, height: 40 }, notAnalysed: expect.stringMatching(/IMAGE_ANALYSIS_MAX_BYTES/) });
    expect(reads).toEqual({ heads: 1, opens: 0 });
  });

  it('keeps the size of a truncated image whose header is sound, not analysed', async () => {
    const png = await sharp({
      create: { width: 60, height: 40, channels: 3, background: '#000000', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .png()
      .toBuffer();
    const facts = await inspector().inspectImage(sourceOf(png.subarray(0, Math.floor(png.length / 2))).source);
    expect(facts).toEqual({ size: { width: 60, height: 40 }, notAnalysed: expect.stringMatching(/could not be decoded/) });
  });

  it('stops reading a stored object longer than its recorded size allowed, as an error that is not the content’s', async () => {
    const png = await solid(30, 30, '#c85028').png().toBuffer();
    const { source } = sourceOf(Buffer.concat([png, Buffer.alloc(ANALYSIS_MAX_BYTES)]), png.length);
    const failure = inspector().inspectImage(source);
    await expect(failure).rejects.toThrow(/larger than/);
    await expect(failure).rejects.not.toBeInstanceOf(MediaRejectedError);
  });

  it('refuses an image over the pixel limit and bytes that are no image', async () => {
    const big = await solid(1001, 1000, '#000000').png().toBuffer();
    await expect(inspector().inspectImage(sourceOf(big).source)).rejects.toThrow(MediaRejectedError);
    await expect(inspector().inspectImage(sourceOf(Buffer.from('not an image')).source)).rejects.toThrow(MediaRejectedError);
  });
});
