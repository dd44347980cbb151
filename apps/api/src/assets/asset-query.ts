import { type AssetQuery, MIMETYPE_GROUPS } from '@hangar/assets';
import type { Prisma } from '@hangar/database';
import { HangarError } from '@hangar/domain';
import { parsePage } from '../common/collection';

const ORDERABLE: ReadonlyMap<string, keyof Prisma.AssetOrderByWithRelationInput> = new Map([
  ['sys.createdAt', 'createdAt'],
  ['sys.updatedAt', 'updatedAt'],
  ['sys.id', 'id'],
  ['sys.version', 'version'],
  ['fields.title', 'title'],
  ['fields.file.contentType', 'contentType'],
]);

const PAGING = new Set(['skip', 'limit', 'order', 'locale', 'select']);
const MAX_IN = 1000;

function invalid(message: string, parameter: string): HangarError {
  return new HangarError('InvalidQuery', message, { parameter });
}

function single(name: string, raw: unknown): string {
  if (typeof raw !== 'string') throw invalid(`${name} must be given once.`, name);
  return raw;
}

function list(name: string, raw: unknown): string[] {
  const values = single(name, raw)
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  if (values.length === 0 || values.length > MAX_IN) throw invalid(`${name} takes 1 to ${MAX_IN} comma-separated values.`, name);
  return values;
}

/**
 * The asset collection's query (Contentful's syntax): paging, `order`, and
 * the filters Hangar indexes. Anything else is a 400 `InvalidQuery`, not
 * silently ignored.
 */
export function parseAssetQuery(query: Record<string, unknown>): AssetQuery {
  const page = parsePage(query);
  const where: Prisma.AssetWhereInput[] = [];
  for (const [name, raw] of Object.entries(query)) {
    if (PAGING.has(name)) continue;
    switch (name) {
      case 'sys.id':
        where.push({ id: single(name, raw) });
        break;
      case 'sys.id[in]':
        where.push({ id: { in: list(name, raw) } });
        break;
      case 'sys.id[nin]':
        where.push({ id: { notIn: list(name, raw) } });
        break;
      case 'fields.title':
        where.push({ title: single(name, raw) });
        break;
      case 'fields.title[match]':
        where.push({ title: { contains: single(name, raw), mode: 'insensitive' } });
        break;
      case 'fields.title[exists]':
        where.push({ title: single(name, raw) === 'true' ? { not: null } : null });
        break;
      case 'fields.file.contentType':
        where.push({ contentType: single(name, raw) });
        break;
      case 'fields.file.contentType[in]':
        where.push({ contentType: { in: list(name, raw) } });
        break;
      case 'mimetype_group': {
        const group = MIMETYPE_GROUPS.get(single(name, raw));
        if (!group) throw invalid(`mimetype_group must be one of ${[...MIMETYPE_GROUPS.keys()].join(', ')}.`, name);
        where.push({
          OR: group.map((prefix) =>
            prefix.endsWith('/') || prefix.endsWith('-') ? { contentType: { startsWith: prefix } } : { contentType: prefix },
          ),
        });
        break;
      }
      default:
        throw invalid(`Unknown query parameter ${name}.`, name);
    }
  }
  return { page, where: { AND: where }, orderBy: parseOrder(query.order) };
}

function parseOrder(raw: unknown): Prisma.AssetOrderByWithRelationInput[] {
  if (raw === undefined) return [{ createdAt: 'desc' }, { id: 'desc' }];
  const orderBy: Prisma.AssetOrderByWithRelationInput[] = list('order', raw).map((term) => {
    const descending = term.startsWith('-');
    const column = ORDERABLE.get(descending ? term.slice(1) : term);
    if (!column) throw invalid(`order cannot use ${term}; it takes ${[...ORDERABLE.keys()].join(', ')}.`, 'order');
    return { [column]: descending ? 'desc' : 'asc' };
  });
  // A unique tie-breaker keeps pages stable.
  if (!orderBy.some((term) => 'id' in term)) orderBy.push({ id: 'asc' });
  return orderBy;
}
