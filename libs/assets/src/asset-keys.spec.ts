import { assetFileUrl } from './asset-keys';

describe('assetFileUrl', () => {
  it('is protocol-relative under an https PUBLIC_BASE_URL, as Contentful serves its files', () => {
    expect(assetFileUrl(new URL('https://media.example.com'), 's1', 'a1', 't1', 'a b.png')).toBe(
      '//media.example.com/files/s1/a1/t1/a%20b.png',
    );
  });

  it('is absolute under an http PUBLIC_BASE_URL, so no client guesses https (contentful-export prepends it to //host)', () => {
    expect(assetFileUrl(new URL('http://localhost:3000'), 's1', 'a1', 't1', 'x.png')).toBe('http://localhost:3000/files/s1/a1/t1/x.png');
  });

  it("keeps PUBLIC_BASE_URL's path prefix", () => {
    expect(assetFileUrl(new URL('https://example.com/hangar/'), 's', 'a', 't', 'f.jpg')).toBe('//example.com/hangar/files/s/a/t/f.jpg');
  });
});
