import { HangarError } from '@hangar/domain';
import { parseAssetQuery } from './asset-query';

describe('parseAssetQuery', () => {
  it('defaults to the newest first', () => {
    expect(parseAssetQuery({})).toEqual({
      collection: 'management',
      page: { kind: 'offset', skip: 0, limit: 100 },
      where: { AND: [] },
      filterKey: '',
      order: [
        { column: 'createdAt', descending: true },
        { column: 'id', descending: true },
      ],
    });
  });

  it('reads order terms, filters and mimetype groups', () => {
    const query = parseAssetQuery({
      order: '-sys.createdAt,fields.title',
      'sys.id[in]': 'a,b',
      'fields.title[match]': 'cat',
      'fields.file.contentType': 'image/png',
      mimetype_group: 'image',
      limit: '10',
    });
    expect(query.order).toEqual([
      { column: 'createdAt', descending: true },
      { column: 'title', descending: false },
      { column: 'id', descending: false },
    ]);
    expect(query.where).toEqual({
      AND: [
        { id: { in: ['a', 'b'] } },
        { title: { contains: 'cat', mode: 'insensitive' } },
        { contentType: 'image/png' },
        { OR: [{ contentType: { startsWith: 'image/' } }] },
      ],
    });
    expect(query.page).toEqual({ kind: 'offset', skip: 0, limit: 10 });
    expect(query.filterKey).toBe('fields.file.contentType=image/png&fields.title[match]=cat&mimetype_group=image&sys.id[in]=a,b');
  });

  it('takes order as the SDK sends an array (order[0], order[1]), as repeated parameters, or comma-separated', () => {
    const expected = [
      { column: 'createdAt', descending: false },
      { column: 'title', descending: true },
      { column: 'id', descending: false },
    ];
    expect(parseAssetQuery({ 'order[1]': '-fields.title', 'order[0]': 'sys.createdAt' }).order).toEqual(expected);
    expect(parseAssetQuery({ order: ['sys.createdAt', '-fields.title'] }).order).toEqual(expected);
    expect(parseAssetQuery({ order: 'sys.createdAt,-fields.title' }).order).toEqual(expected);
    expect(parseAssetQuery({ 'order[]': 'sys.createdAt,-fields.title' }).order).toEqual(expected);
  });

  it('reads the published snapshot on the published collection', () => {
    const query = parseAssetQuery(
      { order: '-fields.title,sys.updatedAt', 'fields.title': 'x', mimetype_group: 'pdfdocument' },
      'published',
    );
    expect(query.collection).toBe('published');
    expect(query.order).toEqual([
      { column: 'publishedTitle', descending: true },
      { column: 'publishedAt', descending: false },
      { column: 'id', descending: false },
    ]);
    expect(query.where).toEqual({ AND: [{ publishedTitle: 'x' }, { OR: [{ publishedContentType: 'application/pdf' }] }] });
  });

  it('reads cursor paging: cursor=true, then one token', () => {
    expect(parseAssetQuery({ cursor: 'true', limit: '3' }).page).toEqual({ kind: 'cursor', limit: 3 });
    expect(parseAssetQuery({ cursor: 'true', pagePrev: 'abc.def' }).page).toEqual({
      kind: 'cursor',
      limit: 100,
      token: { parameter: 'pagePrev', value: 'abc.def' },
    });
  });

  it.each([
    [{ cursor: 'true', skip: '2' }, /skip cannot be combined/],
    [{ cursor: 'yes' }, /cursor takes true or false/],
    [{ pageNext: 'abc' }, /send cursor=true/],
    [{ cursor: 'true', pageNext: 'a', pagePrev: 'b' }, /cannot be given together/],
    [{ cursor: 'true', pageNext: ['a', 'b'] }, /must be given once/],
    [{ order: 'sys.id', 'order[0]': 'sys.id' }, /use one form/],
    [{ order: 'sys.createdAt,-sys.createdAt' }, /twice/],
    [{ order: 'sys.secret' }, /order cannot use/],
    [{ 'fields.title[regex]': 'x' }, /Unknown query parameter/],
    [{ mimetype_group: 'nope' }, /mimetype_group must be one of/],
    [{ 'sys.id[in]': ['a', 'b'] }, /must be given once/],
    [{ 'sys.id[in]': ',' }, /takes 1 to 1000/],
  ])('refuses %j with InvalidQuery', (raw, message) => {
    expect(() => parseAssetQuery(raw)).toThrow(HangarError);
    expect(() => parseAssetQuery(raw)).toThrow(message);
  });
});
