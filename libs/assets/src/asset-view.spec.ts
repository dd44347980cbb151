import type { HangarError } from '@hangar/domain';
import { parseSelect, viewOf } from './asset-view';

const entity = {
  metadata: { tags: [] },
  sys: { type: 'Asset', id: 'a1', version: 3 },
  fields: {
    title: { 'en-US': 'Harbour', 'de-CH': 'Hafen (CH)' },
    description: { 'en-US': 'Boats' },
    file: { 'de-DE': { url: '//x/de.png' }, 'en-US': { url: '//x/en.png' } },
  },
};

describe('asset views', () => {
  it('one locale: flat fields, each from the first locale of the chain that has it; sys.locale', () => {
    expect(viewOf(entity, { locale: { code: 'de-CH', chain: ['de-CH', 'de-DE', 'en-US'] } })).toEqual({
      metadata: { tags: [] },
      sys: { type: 'Asset', id: 'a1', version: 3, locale: 'de-CH' },
      fields: { title: 'Hafen (CH)', description: 'Boats', file: { url: '//x/de.png' } },
    });
    // A chain that ends before a value leaves the field out.
    expect(viewOf(entity, { locale: { code: 'de-DE', chain: ['de-DE'] } }).fields).toEqual({ file: { url: '//x/de.png' } });
  });

  it('select keeps whole parts and listed keys only', () => {
    expect(viewOf(entity, { select: parseSelect('sys,fields.title') })).toEqual({
      sys: entity.sys,
      fields: { title: entity.fields.title },
    });
    expect(viewOf(entity, { select: parseSelect('sys.id, fields') })).toEqual({ sys: { id: 'a1' }, fields: entity.fields });
    expect(viewOf(entity, { select: parseSelect('metadata.tags,sys.id') })).toEqual({ metadata: { tags: [] }, sys: { id: 'a1' } });
  });

  it('locale then select', () => {
    const view = { locale: { code: 'en-US', chain: ['en-US'] }, select: parseSelect('fields.title,sys.locale') };
    expect(viewOf(entity, view)).toEqual({ sys: { locale: 'en-US' }, fields: { title: 'Harbour' } });
  });

  it.each([
    ['fields.file.url', /two levels deep/],
    ['fields.nope', /fields are title, description, file/],
    ['secret', /cannot use secret/],
    ['sys,', /one is empty/],
    ['fields.', /cannot use fields\./],
    [Array.from({ length: 101 }, () => 'sys').join(','), /at most 100/],
    ['__proto__.x', /cannot use __proto__/],
  ])('refuses select=%s with 400 InvalidQuery', (raw, message) => {
    expect(() => parseSelect(raw)).toThrow(message);
    try {
      parseSelect(raw);
    } catch (error) {
      expect((error as HangarError).errorId).toBe('InvalidQuery');
      expect((error as HangarError).details).toMatchObject({ parameter: 'select', errors: [{ name: 'select' }] });
    }
  });
});
