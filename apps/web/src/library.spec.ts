import type { Asset } from './api';
import { formatBytes, isRenderable, thumbnailUrl } from './files';
import { hrefOf, parseRoute, type Route } from './route';
import { processingState } from './status-feed';

describe('the library’s hash routes', () => {
  it.each<Route>([
    { view: 'home' },
    { view: 'library', space: 'abc', environment: 'master' },
    { view: 'asset', space: 'abc', environment: 'staging', asset: 'a/b c' },
  ])('read back what they write: %j', (route) => {
    expect(parseRoute(hrefOf(route))).toEqual(route);
  });

  it('takes anything else for the home page', () => {
    expect(parseRoute('#/spaces/abc')).toEqual({ view: 'home' });
    expect(parseRoute('')).toEqual({ view: 'home' });
  });
});

describe('processingState', () => {
  const asset = (file: Record<string, unknown> | undefined, processing?: unknown) =>
    ({
      sys: { id: 'a', fileProcessing: processing === undefined ? undefined : { 'en-US': processing } },
      fields: { file: file && { 'en-US': file } },
    }) as Asset;

  it('is ready once the file has its url, processing before, failed with the reason recorded', () => {
    expect(processingState(asset({ fileName: 'x.png' }), 'en-US')).toEqual({ status: 'processing' });
    expect(processingState(asset({ url: '//h/files/x.png' }, { status: 'ready' }), 'en-US')).toEqual({ status: 'ready' });
    expect(processingState(asset({ fileName: 'x.png' }, { status: 'failed', reason: 'Not an image.' }), 'en-US')).toEqual({
      status: 'failed',
      reason: 'Not an image.',
    });
  });
});

describe('thumbnails', () => {
  it('are asked of raster images only, as square WebP renditions', () => {
    const png = { url: '//h/files/s/a/t/x.png', contentType: 'image/png' };
    expect(isRenderable(png)).toBe(true);
    expect(isRenderable({ url: '//h/x.svg', contentType: 'image/svg+xml' })).toBe(false);
    expect(isRenderable({ url: '//h/x.pdf', contentType: 'application/pdf' })).toBe(false);
    expect(isRenderable({ contentType: 'image/png' })).toBe(false);
    expect(thumbnailUrl(png, 240)).toBe('//h/files/s/a/t/x.png?w=240&h=240&fit=thumb&fm=webp');
  });

  it('sizes read in binary units', () => {
    expect([formatBytes(undefined), formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 * 1024)]).toEqual([
      '—',
      '512 B',
      '1.5 KiB',
      '5.0 MiB',
    ]);
  });
});
