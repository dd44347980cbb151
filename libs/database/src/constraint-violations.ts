import { causeChain } from './cause-chain';

/**
 * A write PostgreSQL refused for a constraint: `unique` (the row exists
 * already — usually a concurrent create of the same key) or `foreign-key` (a
 * row it refers to is gone — usually deleted concurrently).
 */
export interface ConstraintViolation {
  readonly kind: 'unique' | 'foreign-key';
  /** The constraint's name (`Locale_spaceId_environmentId_code_key`) or the fields it covers, as reported; '' if unknown. */
  readonly target: string;
}

const KIND_OF_CODE: ReadonlyMap<string, ConstraintViolation['kind']> = new Map([
  // Prisma's codes for its own queries…
  ['P2002', 'unique'],
  ['P2003', 'foreign-key'],
  // …and PostgreSQL's SQLSTATEs, which raw queries (P2010) and the driver report.
  ['23505', 'unique'],
  ['23503', 'foreign-key'],
]);

const KIND_OF_ADAPTER_KIND: ReadonlyMap<string, ConstraintViolation['kind']> = new Map([
  ['UniqueConstraintViolation', 'unique'],
  ['ForeignKeyConstraintViolation', 'foreign-key'],
]);

/** What Prisma, its pg driver adapter and node-postgres may put on an error (each only some of it). */
interface ErrorFields {
  code?: unknown;
  originalCode?: unknown;
  kind?: unknown;
  message?: unknown;
  constraint?: unknown;
  meta?: { code?: unknown; target?: unknown; field_name?: unknown; driverAdapterError?: { cause?: unknown } };
}

const RAW_QUERY_CODE = /Code: `(\d{5})`/;
const CONSTRAINT_IN_MESSAGE = /constraint "([^"]+)"/;

function kindOf(fields: ErrorFields): ConstraintViolation['kind'] | undefined {
  for (const code of [fields.code, fields.originalCode, fields.meta?.code]) {
    const kind = typeof code === 'string' ? KIND_OF_CODE.get(code) : undefined;
    if (kind) return kind;
  }
  if (typeof fields.kind === 'string' && KIND_OF_ADAPTER_KIND.has(fields.kind)) return KIND_OF_ADAPTER_KIND.get(fields.kind);
  // A raw query's error that Prisma could not classify keeps the SQLSTATE only in its text.
  const sqlState = typeof fields.message === 'string' ? RAW_QUERY_CODE.exec(fields.message)?.[1] : undefined;
  return sqlState === undefined ? undefined : KIND_OF_CODE.get(sqlState);
}

function targetOf(fields: ErrorFields): string | undefined {
  const constraint = fields.constraint;
  if (typeof constraint === 'string') return constraint; // node-postgres
  if (typeof constraint === 'object' && constraint !== null) {
    // The driver adapter: { index } or { fields } or { foreignKey }.
    const { index, fields: columns } = constraint as { index?: unknown; fields?: unknown };
    if (typeof index === 'string') return index;
    if (Array.isArray(columns)) return columns.join(',');
  }
  for (const target of [fields.meta?.target, fields.meta?.field_name]) {
    if (typeof target === 'string') return target;
    if (Array.isArray(target)) return target.join(',');
  }
  return typeof fields.message === 'string' ? CONSTRAINT_IN_MESSAGE.exec(fields.message)?.[1] : undefined;
}

/**
 * The unique or foreign-key violation behind `error`, whether Prisma raised
 * it for a model query (P2002, P2003), for a raw query (P2010 with the
 * SQLSTATE), or passed on the driver's error; undefined for anything else.
 */
export function constraintViolationOf(error: unknown): ConstraintViolation | undefined {
  const links: ErrorFields[] = [];
  for (const link of causeChain(error)) {
    if (typeof link !== 'object' || link === null) continue;
    const fields = link as ErrorFields;
    links.push(fields);
    const adapterCause = fields.meta?.driverAdapterError?.cause;
    if (typeof adapterCause === 'object' && adapterCause !== null) links.push(adapterCause);
  }
  const kind = links.map(kindOf).find((found) => found !== undefined);
  if (kind === undefined) return undefined;
  return { kind, target: links.map(targetOf).find((found) => found !== undefined) ?? '' };
}
