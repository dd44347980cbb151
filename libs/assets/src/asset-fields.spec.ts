import { fileInput } from './asset-fields';

describe('fileInput.contentType', () => {
  const parse = (contentType: string) => fileInput.safeParse({ contentType, fileName: 'a.bin' });

  it.each([
    'image/png',
    'text/plain; charset=utf-8',
    'text/plain;charset="utf-8"',
    'application/vnd.contentful.management.v1+json',
    ' image/png ',
  ])('takes the media type %j', (contentType) => {
    expect(parse(contentType).success).toBe(true);
  });

  it.each(['html', 'text/html,foo', 'text/plain\u0007', 'image/png\r\nSet-Cookie: a=b', 'bild/pñg', 'image/png;', 'image/', '/png'])(
    'refuses %j, which could not go back out as a Content-Type',
    (contentType) => {
      const result = parse(contentType);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]).toMatchObject({ path: ['contentType'], message: 'must be a media type such as image/png' });
    },
  );
});
