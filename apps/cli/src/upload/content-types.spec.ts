import { contentTypeOf, UNKNOWN_CONTENT_TYPE } from './content-types';

describe('contentTypeOf', () => {
  it.each([
    ['harbour.JPG', 'image/jpeg'],
    ['clip.mov', 'video/quicktime'],
    ['notes.txt', 'text/plain'],
    ['report.pdf', 'application/pdf'],
    ['archive.tar.gz', 'application/gzip'],
  ])('declares %s as %s (by extension, in any case)', (name, type) => {
    expect(contentTypeOf(name)).toBe(type);
  });
  it.each(['README', 'data.unknownext', '.hidden', 'trailing.'])('declares %s as application/octet-stream', (name) => {
    expect(contentTypeOf(name)).toBe(UNKNOWN_CONTENT_TYPE);
  });
});
