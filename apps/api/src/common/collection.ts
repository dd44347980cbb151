import { HangarError } from '@hangar/domain';

export interface Collection<T> {
  sys: { type: 'Array' };
  total: number;
  skip: number;
  limit: number;
  items: T[];
}

export interface Page {
  skip: number;
  limit: number;
}

export const MAX_PAGE_LIMIT = 1000;
export const DEFAULT_PAGE_LIMIT = 100;

function integerParam(name: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new HangarError('InvalidQuery', `${name} must be an integer from ${min} to ${max}.`, { parameter: name });
  }
  return Number(raw);
}

/** `skip` (≥ 0) and `limit` (1–1000, default 100) of a collection query; 400 `InvalidQuery` otherwise. */
export function parsePage(query: Record<string, unknown>): Page {
  return {
    skip: integerParam('skip', query.skip, 0, 0, 100_000_000),
    limit: integerParam('limit', query.limit, DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT),
  };
}

export function collection<T>(items: T[], total: number, page: Page): Collection<T> {
  return { sys: { type: 'Array' }, total, skip: page.skip, limit: page.limit, items };
}
