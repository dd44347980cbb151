import { HangarError } from '@hangar/domain';
import { collection, parsePage } from './collection';

describe('parsePage', () => {
  it('defaults to the first 100 items', () => {
    expect(parsePage({})).toEqual({ skip: 0, limit: 100 });
  });
  it('reads skip and limit', () => {
    expect(parsePage({ skip: '20', limit: '1000' })).toEqual({ skip: 20, limit: 1000 });
  });
  it.each([{ limit: '0' }, { limit: '1001' }, { skip: '-1' }, { skip: 'ten' }, { limit: ['1', '2'] }, { limit: '1e3' }])(
    'refuses %j with InvalidQuery',
    (query) => {
      expect(() => parsePage(query)).toThrow(HangarError);
      expect(() => parsePage(query)).toThrow(/must be an integer/);
    },
  );
  it('wraps items in a Contentful collection', () => {
    expect(collection(['a'], 5, { skip: 1, limit: 1 })).toEqual({ sys: { type: 'Array' }, total: 5, skip: 1, limit: 1, items: ['a'] });
  });
});
