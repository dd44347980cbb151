import {
  type AssetCollection,
  type AssetOrderColumn,
  type AssetOrderTerm,
  type AssetPageRequest,
  type AssetQuery,
  MAX_CURSOR_TOKEN_LENGTH,
  MIMETYPE_GROUPS,
} from '@hangar/assets';
import type { Prisma } from '@hangar/database';
import { HangarError } from '@hangar/domain';
import { parsePage } from '../common/collection';

type Column = 'createdAt' | 'updatedAt' | 'id' | 'version' | 'title' | 'contentType';

/** Contentful's order terms and the column each reads, in the management collection. */
const ORDERABLE: ReadonlyMap<string, Column> = new Map([
  ['sys.createdAt', 'createdAt'],
  ['sys.updatedAt', 'updatedAt'],
  ['sys.id', 'id'],
  ['sys.version', 'version'],
  ['fields.title', 'title'],
  ['fields.file.contentType', 'contentType'],
]);

/**
 * The published collection shows each asset's published snapshot: its
 * version, last change, title and content type are the snapshot's.
 */
const PUBLISHED_COLUMN: Record<Column, AssetOrderColumn> = {
  createdAt: 'createdAt',
  updatedAt: 'publishedAt',
  id: 'id',
  version: 'publishedVersion',
  title: 'publishedTitle',
  contentType: 'publishedContentType',
};

/** Parameters that shape the page or the items rather than filter them (`order[0]`… are `order` too). */
const SHAPING = new Set(['skip', 'limit', 'order', 'locale', 'select', 'cursor', 'pageNext', 'pagePrev']);
const INDEXED = /^(order|select)\[(\d{0,3})\]$/;
const MAX_IN = 1000;

function invalid(message: string, parameter: string): HangarError {
  return new HangarError('InvalidQuery', message, { parameter });
}

function single(name: string, raw: unknown): string {
  if (typeof raw !== 'string') throw invalid(`${name} must be given once.`, name);
  return raw;
}

function split(name: string, raw: string): string[] {
  const values = raw
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  if (values.length === 0 || values.length > MAX_IN) throw invalid(`${name} takes 1 to ${MAX_IN} comma-separated values.`, name);
  return values;
}

/**
 * A parameter Contentful's SDK may send as an array: `order=a,b` (the comma
 * form), `order=a&order=b`, or `order[0]=a&order[1]=b` (what qs makes of
 * `order: ['a', 'b']` in the SDK; Express's simple parser keeps those keys as
 * they are). The forms may not be mixed; undefined if absent.
 */
function arrayParameter(query: Record<string, unknown>, name: 'order' | 'select'): string | undefined {
  const indexed = Object.entries(query)
    .map(([key, value]) => ({ match: INDEXED.exec(key), key, value }))
    .filter(({ match }) => match?.[1] === name)
    .map(({ match, key, value }) => ({ index: match?.[2] === '' ? 0 : Number(match?.[2]), key, value: single(key, value) }))
    .sort((a, b) => a.index - b.index);
  const plain = query[name];
  if (indexed.length > 0 && plain !== undefined) throw invalid(`${name} is given both as ${name} and as ${name}[…]; use one form.`, name);
  if (indexed.length > 0) return indexed.map(({ value }) => value).join(',');
  if (plain === undefined) return undefined;
  if (Array.isArray(plain) && plain.every((value) => typeof value === 'string')) return plain.join(',');
  return single(name, plain);
}

export interface AssetReadOptions {
  /** `locale`: a locale code or `*` (undefined: all locales, as `*`). */
  readonly locale?: string;
  /** `select`, as given (its rules are checked with the view). */
  readonly select?: string;
}

/** `locale` and `select`, on any asset read (collection or single asset). */
export function parseReadOptions(query: Record<string, unknown>): AssetReadOptions {
  const locale = query.locale === undefined ? undefined : single('locale', query.locale);
  if (locale !== undefined && (locale.length === 0 || locale.length > 35)) throw invalid('locale takes a locale code or *.', 'locale');
  const select = arrayParameter(query, 'select');
  return { ...(locale !== undefined ? { locale } : {}), ...(select !== undefined ? { select } : {}) };
}

/**
 * The asset collection's query (Contentful's syntax): paging (offset, or
 * cursor with `cursor=true`), `order`, and the filters Hangar indexes.
 * Anything else is a 400 `InvalidQuery`, not silently ignored. On the
 * published collection the filters and the order read the published snapshot.
 */
export function parseAssetQuery(query: Record<string, unknown>, collection: AssetCollection = 'management'): AssetQuery {
  const column = (name: Column): AssetOrderColumn => (collection === 'published' ? PUBLISHED_COLUMN[name] : name);
  const where: Prisma.AssetWhereInput[] = [];
  const filters: string[] = [];
  for (const [name, raw] of Object.entries(query)) {
    if (SHAPING.has(name) || INDEXED.test(name)) continue;
    const value = single(name, raw);
    filters.push(`${name}=${value}`);
    switch (name) {
      case 'sys.id':
        where.push({ id: value });
        break;
      case 'sys.id[in]':
        where.push({ id: { in: split(name, value) } });
        break;
      case 'sys.id[nin]':
        where.push({ id: { notIn: split(name, value) } });
        break;
      case 'fields.title':
        where.push({ [column('title')]: value });
        break;
      case 'fields.title[match]':
        where.push({ [column('title')]: { contains: value, mode: 'insensitive' } });
        break;
      case 'fields.title[exists]':
        where.push({ [column('title')]: value === 'true' ? { not: null } : null });
        break;
      case 'fields.file.contentType':
        where.push({ [column('contentType')]: value });
        break;
      case 'fields.file.contentType[in]':
        where.push({ [column('contentType')]: { in: split(name, value) } });
        break;
      case 'mimetype_group': {
        const group = MIMETYPE_GROUPS.get(value);
        if (!group) throw invalid(`mimetype_group must be one of ${[...MIMETYPE_GROUPS.keys()].join(', ')}.`, name);
        const contentType = column('contentType');
        where.push({
          OR: group.map((prefix) =>
            prefix.endsWith('/') || prefix.endsWith('-') ? { [contentType]: { startsWith: prefix } } : { [contentType]: prefix },
          ),
        });
        break;
      }
      default:
        throw invalid(`Unknown query parameter ${name}.`, name);
    }
  }
  return {
    collection,
    page: parsePageRequest(query),
    where: { AND: where },
    filterKey: filters.sort().join('&'),
    order: parseOrder(arrayParameter(query, 'order'), column),
  };
}

function parsePageRequest(query: Record<string, unknown>): AssetPageRequest {
  const cursor = query.cursor === undefined ? 'false' : single('cursor', query.cursor);
  if (cursor !== 'true' && cursor !== 'false') throw invalid('cursor takes true or false.', 'cursor');
  const { skip, limit } = parsePage(query);
  if (cursor === 'false') {
    for (const name of ['pageNext', 'pagePrev'])
      if (query[name] !== undefined) throw invalid(`${name} pages a cursor collection: send cursor=true with it.`, name);
    return { kind: 'offset', skip, limit };
  }
  if (query.skip !== undefined) throw invalid('skip cannot be combined with cursor=true; follow pages.next instead.', 'skip');
  if (query.pageNext !== undefined && query.pagePrev !== undefined) {
    throw invalid('pageNext and pagePrev cannot be given together.', 'pagePrev');
  }
  const parameter = query.pageNext !== undefined ? 'pageNext' : query.pagePrev !== undefined ? 'pagePrev' : undefined;
  if (parameter === undefined) return { kind: 'cursor', limit };
  const value = single(parameter, query[parameter]);
  if (value.length === 0 || value.length > MAX_CURSOR_TOKEN_LENGTH)
    throw invalid(`${parameter} is not a page token of this collection.`, parameter);
  return { kind: 'cursor', limit, token: { parameter, value } };
}

function parseOrder(raw: string | undefined, column: (name: Column) => AssetOrderColumn): AssetOrderTerm[] {
  if (raw === undefined) {
    return [
      { column: 'createdAt', descending: true },
      { column: 'id', descending: true },
    ];
  }
  const order = split('order', raw).map((term) => {
    const descending = term.startsWith('-');
    const name = ORDERABLE.get(descending ? term.slice(1) : term);
    if (!name) throw invalid(`order cannot use ${term}; it takes ${[...ORDERABLE.keys()].join(', ')}.`, 'order');
    return { column: column(name), descending };
  });
  if (new Set(order.map((term) => term.column)).size !== order.length) throw invalid('order names a property twice.', 'order');
  // A unique tie-breaker keeps pages stable (and cursor keys unique).
  if (!order.some((term) => term.column === 'id')) order.push({ column: 'id', descending: false });
  return order;
}
