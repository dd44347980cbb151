import { fileInput, MAX_REMOTE_URL_LENGTH, remoteUrlProblem, sourceOf, stillWaitsFor } from './asset-fields';

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

describe('remoteUrlProblem (fields.file[locale].upload)', () => {
  it.each([
    'https://example.com/a.png',
    'http://example.com:8080/a.png?size=large#top',
    'http://169.254.169.254/latest', // syntax only: where it leads is checked when it is fetched
    'https://bücher.example/ä.png',
    'http://[::1]/a.png',
  ])('takes %j', (url) => {
    expect(remoteUrlProblem(url)).toBeUndefined();
  });

  it.each([
    ['ftp://example.com/a.png', 'must be an http:// or https:// URL, not ftp:'],
    ['javascript:alert(1)', 'must be an http:// or https:// URL, not javascript:'],
    ['file:///etc/passwd', 'must be an http:// or https:// URL, not file:'],
    ['data:image/png;base64,AAAA', 'must be an http:// or https:// URL, not data:'],
    ['not a url', 'must be a URL without spaces or control characters'],
    ['example.com/a.png', 'must be an absolute http:// or https:// URL'],
    ['/a.png', 'must be an absolute http:// or https:// URL'],
    ['https://', 'must be an absolute http:// or https:// URL'],
    [' https://example.com/a.png', 'must be a URL without spaces or control characters'],
    ['https://exa\tmple.com/a.png', 'must be a URL without spaces or control characters'],
    ['https://example.com/a\n.png', 'must be a URL without spaces or control characters'],
  ])('refuses %j', (url, problem) => {
    expect(remoteUrlProblem(url)).toBe(problem);
  });

  it(`takes at most ${MAX_REMOTE_URL_LENGTH} characters`, () => {
    const url = (length: number) => `https://example.com/${'a'.repeat(length - 'https://example.com/'.length)}`;
    const parse = (upload: string) => fileInput.safeParse({ contentType: 'image/png', fileName: 'a.png', upload });
    expect(parse(url(MAX_REMOTE_URL_LENGTH)).success).toBe(true);
    expect(parse(url(MAX_REMOTE_URL_LENGTH + 1)).error?.issues[0]).toMatchObject({ path: ['upload'], code: 'too_big' });
  });
});

describe('stillWaitsFor', () => {
  const linked = {
    contentType: 'image/png',
    fileName: 'a.png',
    uploadFrom: { sys: { type: 'Link', linkType: 'Upload', id: 'u1' } },
  } as const;
  const remote = { contentType: 'image/png', fileName: 'a.png', upload: 'https://example.com/a.png' };

  it('matches a request to the source its file still names', () => {
    expect(stillWaitsFor(linked, sourceOf(linked))).toBe(true);
    expect(stillWaitsFor(remote, sourceOf(remote))).toBe(true);
    // Once imported, a remote request records its Upload; the URL still decides.
    expect(stillWaitsFor(remote, { uploadId: 'imported', sourceUrl: remote.upload })).toBe(true);
  });

  it('does not match a file replaced since the request', () => {
    expect(stillWaitsFor({ ...linked, uploadFrom: { sys: { ...linked.uploadFrom.sys, id: 'u2' } } }, sourceOf(linked))).toBe(false);
    expect(stillWaitsFor({ ...remote, upload: 'https://example.com/b.png' }, sourceOf(remote))).toBe(false);
    expect(stillWaitsFor(remote, sourceOf(linked))).toBe(false);
    expect(stillWaitsFor(linked, { uploadId: 'u1', sourceUrl: remote.upload })).toBe(false);
    expect(stillWaitsFor(undefined, sourceOf(linked))).toBe(false);
  });
});
