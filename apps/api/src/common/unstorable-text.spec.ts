import { findUnstorableText, isUnstorableText, unstorableBodyError, unstorableQueryError } from './unstorable-text';

describe('unstorable text', () => {
  it('is NUL or a surrogate without its other half', () => {
    for (const text of ['a\u0000b', '\u0000', 'a\ud800', '\ud800b', 'a\udc00', '\udc00\ud800', '\ud83d\ud83d\ude00\ud83d'])
      expect([text, isUnstorableText(text)]).toEqual([text, true]);
    for (const text of ['', 'plain', 'emoji-😀', '\ud83d\ude00', 'tab\tand\nnewline', '\u0001', '\ufffd', 'עברית'])
      expect([text, isUnstorableText(text)]).toEqual([text, false]);
  });

  it('finds the first unstorable string of a JSON value by its path, keys included', () => {
    expect(findUnstorableText({ fields: { title: { 'en-US': 'ok' } } })).toBeUndefined();
    expect(findUnstorableText({ fields: { title: { 'en-US': 'a\u0000b' } } })).toEqual(['fields', 'title', 'en-US']);
    expect(findUnstorableText({ fields: { file: { 'de-DE': { fileName: 'x\ud800.png' } } } })).toEqual([
      'fields',
      'file',
      'de-DE',
      'fileName',
    ]);
    expect(findUnstorableText({ fields: { 'ti\u0000tle': 'x' } })).toEqual(['fields', 'ti\u0000tle']);
    expect(findUnstorableText({ scopes: ['ok', 'b\udfff'] })).toEqual(['scopes', 1]);
    expect(findUnstorableText(['first\u0000', 'second\u0000'])).toEqual([0]);
    expect(findUnstorableText({ a: 'first\u0000', b: 'second\u0000' })).toEqual(['a']);
    expect(findUnstorableText({ n: 1, b: true, z: null })).toBeUndefined();
  });

  it('walks a body nested far deeper than the call stack', () => {
    const depth = 200_000;
    const deep = JSON.parse(`${'['.repeat(depth)}"x\\u0000"${']'.repeat(depth)}`) as unknown;
    const path = findUnstorableText(deep);
    expect(path).toHaveLength(depth);
    expect(findUnstorableText(JSON.parse('['.repeat(depth) + ']'.repeat(depth)))).toBeUndefined();
  });

  it('answers 400 BadRequest naming the path or the query parameter', () => {
    expect(unstorableBodyError({ name: 'fine' })).toBeUndefined();
    const body = unstorableBodyError(JSON.parse('{"name":"a\\u0000b"}'));
    expect([body?.status, body?.errorId, body?.details]).toEqual([400, 'BadRequest', { path: ['name'] }]);

    expect(unstorableQueryError({ 'sys.id[in]': ['a', 'b'], limit: '1' })).toBeUndefined();
    for (const [query, parameter] of [
      [{ 'fields.title': 'a\u0000b' }, 'fields.title'],
      [{ 'sys.id[in]': ['ok', '\u0000'] }, 'sys.id[in]'],
      [{ 'sys.id\u0000': 'x' }, 'sys.id\u0000'],
    ] as const) {
      const error = unstorableQueryError(query);
      expect([error?.status, error?.errorId, error?.details]).toEqual([400, 'BadRequest', { parameter }]);
    }
  });
});
