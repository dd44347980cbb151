import { signingSecretInput, webhookDefinitionInput, webhookUrlProblem } from './webhook-definition-input';

/** The paths (joined with dots) of what a body gets refused for, or [] when it is accepted. */
function refusedPaths(body: unknown): string[] {
  const result = webhookDefinitionInput.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

describe('webhook definition input', () => {
  test('a full definition of the SDK type is accepted', () => {
    expect(
      refusedPaths({
        name: 'n',
        url: 'https://example.com/hook?x=1',
        topics: ['Asset.publish', '*.delete', 'Upload.*'],
        filters: [
          { equals: [{ doc: 'sys.environment.sys.id' }, 'master'] },
          { in: [{ doc: 'sys.id' }, ['a', 'b']] },
          { not: { regexp: [{ doc: 'sys.contentType.sys.id' }, { pattern: '^draft-' }] } },
        ],
        headers: [
          { key: 'X-Plain', value: 'v' },
          { key: 'Authorization', value: 'Bearer x', secret: true },
          { key: 'X-Kept', secret: true },
        ],
        httpBasicUsername: 'user',
        httpBasicPassword: 'p:a:ss',
        active: false,
        transformation: { method: 'PUT', contentType: 'application/json', includeContentLength: true, body: { id: '{ /payload/sys/id }' } },
        sys: { id: 'ignored', version: 3 },
      }),
    ).toEqual([]);
  });

  test.each([
    ['ftp://example.com/x', 'must be an http:// or https:// URL, not ftp:'],
    ['https://user:pw@example.com/', 'must not contain credentials'],
    ['https://user@example.com/', 'must not contain credentials'],
    ['https://exa mple.com/', 'without spaces'],
    ['https://example.com/\n', 'without spaces'],
    ['/relative', 'absolute'],
  ])('the url %j is refused', (url, problem) => {
    expect(webhookUrlProblem(url)).toContain(problem);
  });

  test.each([
    ['an empty topic list', { topics: [] }, ['topics']],
    ['a topic of a type Hangar has not', { topics: ['Asset.publish', 'Entry.publish'] }, ['topics.1']],
    ['a filter on another path', { filters: [{ equals: [{ doc: 'fields.title' }, 'x'] }] }, ['filters.0.equals.0.doc']],
    ['an empty in list', { filters: [{ in: [{ doc: 'sys.id' }, []] }] }, ['filters.0.in.1']],
    ['a pattern that does not compile', { filters: [{ regexp: [{ doc: 'sys.id' }, { pattern: '(' }] }] }, ['filters.0.regexp.1.pattern']],
    ['a constraint of two operators', { filters: [{ equals: [{ doc: 'sys.id' }, 'a'], in: [{ doc: 'sys.id' }, ['a']] }] }, ['filters.0']],
    ['a constraint of no operator', { filters: [{ not: {} }] }, ['filters.0.not']],
    ['an operator Contentful has not', { filters: [{ matches: [{ doc: 'sys.id' }, 'a'] }] }, ['filters.0', 'filters.0']],
    ['a Host header', { headers: [{ key: 'host', value: 'evil' }] }, ['headers.0.key']],
    ['a Content-Length header', { headers: [{ key: 'Content-Length', value: '1' }] }, ['headers.0.key']],
    ['an X-Contentful header', { headers: [{ key: 'x-contentful-topic', value: 'forged' }] }, ['headers.0.key']],
    ['a header name with a space', { headers: [{ key: 'X Bad', value: 'v' }] }, ['headers.0.key']],
    ['a header value with a line break', { headers: [{ key: 'X-A', value: 'v\r\nX-Injected: 1' }] }, ['headers.0.value']],
    [
      'a header given twice',
      {
        headers: [
          { key: 'X-A', value: '1' },
          { key: 'x-a', value: '2' },
        ],
      },
      ['headers.1.key'],
    ],
    ['too many headers', { headers: Array.from({ length: 31 }, (_, i) => ({ key: `X-${i}`, value: 'v' })) }, ['headers']],
    ['a user name with a colon', { httpBasicUsername: 'a:b' }, ['httpBasicUsername']],
    ['a transformation method Contentful has not', { transformation: { method: 'TRACE' } }, ['transformation.method']],
    ['an unknown transformation key', { transformation: { url: 'https://elsewhere' } }, ['transformation']],
    ['a name of spaces only', { name: '   ' }, ['name']],
  ])('%s is refused at its path', (_name, body, paths) => {
    expect(refusedPaths(body)).toEqual(paths);
  });

  test('the signing secret is exactly 64 characters of its alphabet', () => {
    const valid = 'aZ09+/=_-'.repeat(8).slice(0, 64);
    expect(signingSecretInput.safeParse({ value: valid }).success).toBe(true);
    expect(signingSecretInput.safeParse({ value: valid.slice(1) }).success).toBe(false);
    expect(signingSecretInput.safeParse({ value: `${valid}a` }).success).toBe(false);
    expect(signingSecretInput.safeParse({ value: `${valid.slice(1)}!` }).success).toBe(false);
  });
});
