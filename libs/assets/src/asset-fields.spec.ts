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

describe('fileInput.fileName', () => {
  const parse = (fileName: string) => fileInput.safeParse({ contentType: 'image/png', fileName });

  it.each(['cat.png', '猫.png', 'עברית.png', 'שלום\u200F.png', 'a\u200Eb.png', 'emoji-😀.png', '.hidden', 'a..b'])(
    'takes %j',
    (fileName) => {
      expect(parse(fileName).success).toBe(true);
    },
  );

  it.each([
    'invoice\u202Efdp.exe',
    'a\u202Ab.png',
    'a\u202Bb.png',
    'a\u202Cb.png',
    'a\u202Db.png',
    'a\u2066b.png',
    'a\u2067b.png',
    'a\u2068b.png',
    'a\u2069b.png',
    'c1\u0085control.png',
    'c1\u009bcontrol.png',
    'a/b',
    '..',
  ])('refuses %j', (fileName) => {
    const result = parse(fileName);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['fileName']);
  });
});
