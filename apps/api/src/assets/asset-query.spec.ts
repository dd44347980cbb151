import { HangarError } from '@hangar/domain';
import { parseAssetQuery } from './asset-query';

describe('parseAssetQuery', () => {
  it('defaults to the newest first', () => {
    expect(parseAssetQuery({})).toEqual({
      page: { skip: 0, limit: 100 },
      where: { AND: [] },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
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
    expect(query.orderBy).toEqual([{ createdAt: 'desc' }, { title: 'asc' }, { id: 'asc' }]);
    expect(query.where).toEqual({
      AND: [
        { id: { in: ['a', 'b'] } },
        { title: { contains: 'cat', mode: 'insensitive' } },
        { contentType: 'image/png' },
        { OR: [{ contentType: { startsWith: 'image/' } }] },
      ],
    });
    expect(query.page).toEqual({ skip: 0, limit: 10 });
  });

  it.each([
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
