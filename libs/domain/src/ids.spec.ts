import { newId, RESOURCE_ID_PATTERN } from './ids';

describe('newId', () => {
  it('makes 22-character base62 ids that are valid resource ids', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) {
      expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
      expect(id).toMatch(RESOURCE_ID_PATTERN);
    }
  });

  it('uses every character of the alphabet', () => {
    const seen = new Set(Array.from({ length: 500 }, () => newId()).join(''));
    expect(seen.size).toBe(62);
  });
});

describe('RESOURCE_ID_PATTERN', () => {
  it.each(['a', 'my-asset_1.png', '.hidden', 'v1..2', 'x'.repeat(64)])('takes %j', (id) => {
    expect(RESOURCE_ID_PATTERN.test(id)).toBe(true);
  });
  it.each(['.', '..', '...', '', 'x'.repeat(65), 'a/b', 'a b', 'ü'])('refuses %j', (id) => {
    expect(RESOURCE_ID_PATTERN.test(id)).toBe(false);
  });
});
