import { createHash } from 'node:crypto';
import type { Prisma } from '@hangar/database';
import { HangarError } from '@hangar/domain';

/** The columns an asset collection can be ordered by (the draft's, or the published snapshot's). */
export type AssetOrderColumn =
  | 'createdAt'
  | 'updatedAt'
  | 'id'
  | 'version'
  | 'title'
  | 'contentType'
  | 'publishedAt'
  | 'publishedVersion'
  | 'publishedTitle'
  | 'publishedContentType';

export interface AssetOrderTerm {
  readonly column: AssetOrderColumn;
  readonly descending: boolean;
}

const DATE_COLUMNS: ReadonlySet<AssetOrderColumn> = new Set(['createdAt', 'updatedAt', 'publishedAt']);
const INTEGER_COLUMNS: ReadonlySet<AssetOrderColumn> = new Set(['version', 'publishedVersion']);
/** Columns that may hold NULL (PostgreSQL sorts NULL last ascending, first descending: the keyset follows that). */
const NULLABLE_COLUMNS: ReadonlySet<AssetOrderColumn> = new Set([
  'title',
  'contentType',
  'publishedAt',
  'publishedVersion',
  'publishedTitle',
  'publishedContentType',
]);

/** One row's values of the order columns, in order: where a page starts or ends. */
export type CursorKey = readonly (string | number | null)[];

export type CursorDirection = 'next' | 'prev';

/** A decoded `pageNext`/`pagePrev` token: the rows strictly after (or before) `key`, or from it when `inclusive`. */
export interface Cursor {
  readonly direction: CursorDirection;
  readonly key: CursorKey;
  readonly inclusive: boolean;
}

const TOKEN_VERSION = 1;
/** Generous for a key holding a 5,000-character title; anything longer is not a token Hangar made. */
export const MAX_CURSOR_TOKEN_LENGTH = 16_384;
const TAG_BYTES = 12;
/** A fixed domain string in the checksum, so a token of another kind never decodes as this one. */
const TAG_DOMAIN = 'hangar.asset-cursor.v1\n';

function tagOf(payload: string): string {
  return createHash('sha256')
    .update(TAG_DOMAIN + payload)
    .digest()
    .subarray(0, TAG_BYTES)
    .toString('base64url');
}

function refused(parameter: string, message: string): HangarError {
  return new HangarError('InvalidQuery', message, { parameter });
}

/**
 * The fingerprint of what a cursor pages through: the collection, its filters
 * and its order. A token is only valid for the query that made it (a changed
 * filter or order would make its key meaningless); `limit` may change between pages.
 */
export function queryFingerprint(collection: string, filterKey: string, order: readonly AssetOrderTerm[]): string {
  const orderKey = order.map((term) => `${term.descending ? '-' : ''}${term.column}`).join(',');
  return createHash('sha256').update(`${collection}\n${filterKey}\n${orderKey}`).digest().subarray(0, 9).toString('base64url');
}

interface TokenPayload {
  v: number;
  d: 'n' | 'p';
  q: string;
  k: (string | number | null)[];
  i?: 1;
}

/**
 * A page token: the page's boundary key, its direction and the query's
 * fingerprint, as base64url JSON with a truncated SHA-256 tag. Tokens are not
 * secrets (they hold values of a row the caller has already read); the tag
 * makes a garbled or edited token a 400 instead of a page from nowhere.
 */
export function encodeCursor(cursor: Cursor, fingerprint: string): string {
  const payload: TokenPayload = { v: TOKEN_VERSION, d: cursor.direction === 'next' ? 'n' : 'p', q: fingerprint, k: [...cursor.key] };
  if (cursor.inclusive) payload.i = 1;
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${tagOf(body)}`;
}

/** Decodes a token for this query's order and fingerprint; anything else is a 400 `InvalidQuery` naming the parameter. */
export function decodeCursor(
  parameter: 'pageNext' | 'pagePrev',
  token: string,
  order: readonly AssetOrderTerm[],
  fingerprint: string,
): Cursor {
  const invalid = () => refused(parameter, `${parameter} is not a page token of this collection.`);
  if (token.length === 0 || token.length > MAX_CURSOR_TOKEN_LENGTH) throw invalid();
  const [body, tag, ...rest] = token.split('.');
  if (rest.length > 0 || !body || !tag || !/^[A-Za-z0-9_-]+$/.test(body) || tag !== tagOf(body)) throw invalid();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!isPayload(payload) || payload.v !== TOKEN_VERSION) throw invalid();
  if (payload.d !== (parameter === 'pageNext' ? 'n' : 'p')) {
    throw refused(parameter, `${parameter} takes the token of pages.${parameter === 'pageNext' ? 'next' : 'prev'}.`);
  }
  if (payload.q !== fingerprint) {
    throw refused(parameter, `${parameter} belongs to a query with other filters or another order; repeat that query's parameters.`);
  }
  if (payload.k.length !== order.length || !order.every((term, index) => fitsColumn(term.column, payload.k[index]))) throw invalid();
  return { direction: payload.d === 'n' ? 'next' : 'prev', key: payload.k, inclusive: payload.i === 1 };
}

function isPayload(value: unknown): value is TokenPayload {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.v === 'number' &&
    (candidate.d === 'n' || candidate.d === 'p') &&
    typeof candidate.q === 'string' &&
    Array.isArray(candidate.k) &&
    (candidate.i === undefined || candidate.i === 1)
  );
}

function fitsColumn(column: AssetOrderColumn, value: unknown): boolean {
  if (value === null) return NULLABLE_COLUMNS.has(column);
  if (DATE_COLUMNS.has(column))
    return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && !Number.isNaN(Date.parse(value));
  if (INTEGER_COLUMNS.has(column)) return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= 2_147_483_647;
  return typeof value === 'string' && value.length <= 10_000;
}

/** A row's key for the given order (what a token records). */
export function keyOf(row: Record<AssetOrderColumn, unknown>, order: readonly AssetOrderTerm[]): CursorKey {
  return order.map(({ column }) => {
    const value = row[column];
    if (value === null || value === undefined) return null;
    if (value instanceof Date) return value.toISOString();
    return value as string | number;
  });
}

const valueFor = (column: AssetOrderColumn, value: string | number): string | number | Date =>
  DATE_COLUMNS.has(column) ? new Date(value) : value;

function equalTo(column: AssetOrderColumn, value: string | number | null): Prisma.AssetWhereInput {
  return { [column]: value === null ? null : valueFor(column, value) };
}

/** The rows past `value` on one term, in that term's direction (NULLs last ascending, first descending); undefined if none. */
function beyond(term: AssetOrderTerm, value: string | number | null): Prisma.AssetWhereInput | undefined {
  const { column, descending } = term;
  const nullable = NULLABLE_COLUMNS.has(column);
  if (value === null) return descending && nullable ? { [column]: { not: null } } : undefined;
  const bound = valueFor(column, value);
  if (descending) return { [column]: { lt: bound } };
  return nullable ? { OR: [{ [column]: { gt: bound } }, { [column]: null }] } : { [column]: { gt: bound } };
}

/** The order a cursor reads in: as asked for `next`, reversed for `prev` (its rows are then put back in order). */
export function readingOrder(order: readonly AssetOrderTerm[], direction: CursorDirection): AssetOrderTerm[] {
  return direction === 'next' ? [...order] : order.map((term) => ({ ...term, descending: !term.descending }));
}

/**
 * Keyset condition: the rows after `key` in `order` (which ends with a unique
 * column), as `(a > x) OR (a = x AND b > y) …`, plus a bound on the first
 * column alone when it cannot be NULL, so its index gives the range.
 */
export function keysetWhere(order: readonly AssetOrderTerm[], key: CursorKey, inclusive: boolean): Prisma.AssetWhereInput {
  const alternatives: Prisma.AssetWhereInput[] = [];
  order.forEach((term, index) => {
    const past = beyond(term, key[index] ?? null);
    if (!past) return;
    alternatives.push({ AND: [...order.slice(0, index).map((earlier, at) => equalTo(earlier.column, key[at] ?? null)), past] });
  });
  if (inclusive) alternatives.push({ AND: order.map((term, at) => equalTo(term.column, key[at] ?? null)) });
  const condition: Prisma.AssetWhereInput = { OR: alternatives };
  const [first] = order;
  const firstValue = key[0];
  if (!first || firstValue === null || firstValue === undefined || NULLABLE_COLUMNS.has(first.column)) return condition;
  const bound = valueFor(first.column, firstValue);
  return { AND: [{ [first.column]: first.descending ? { lte: bound } : { gte: bound } }, condition] };
}

/**
 * The rows after `key`, as conditions to read one after the other (each in
 * `order`, each until the page is full). When the first order column can be
 * NULL, the NULL rows are a segment of their own (after the others ascending,
 * before them descending): each segment is then a range of that column's index
 * (`title >= x`, `title IS NULL`) instead of one OR PostgreSQL cannot scan in order.
 */
export function keysetSegments(order: readonly AssetOrderTerm[], key: CursorKey, inclusive: boolean): Prisma.AssetWhereInput[] {
  const [first, ...rest] = order;
  if (!first || !NULLABLE_COLUMNS.has(first.column)) return [keysetWhere(order, key, inclusive)];
  const value = key[0] ?? null;
  const { column, descending } = first;
  const nullRowsAfter = () => ({ AND: [{ [column]: null }, keysetWhere(rest, key.slice(1), inclusive)] });
  if (value === null) return descending ? [nullRowsAfter(), { [column]: { not: null } }] : [nullRowsAfter()];
  const bounded = { AND: [{ [column]: descending ? { lte: value } : { gte: value } }, keysetWhere(order, key, inclusive)] };
  return descending ? [bounded] : [bounded, { [column]: null }];
}

export function prismaOrder(order: readonly AssetOrderTerm[]): Prisma.AssetOrderByWithRelationInput[] {
  return order.map(({ column, descending }) => ({ [column]: descending ? 'desc' : 'asc' }));
}
