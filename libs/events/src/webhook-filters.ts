/**
 * Contentful's webhook filters: constraints on the changed entity, all of
 * which must hold for a webhook to be called. Each names a document property
 * (`{doc: 'sys.id'}`, `sys.environment.sys.id`, `sys.contentType.sys.id`) and
 * tests it with `equals`, `in`, `regexp` or `not` of one of those.
 */

/** The properties a filter can name, read from an event. */
export interface FilterSubject {
  readonly 'sys.id': string;
  readonly 'sys.environment.sys.id': string;
  /** Entries only: assets and Hangar's entities have none (an `equals` on it never holds). */
  readonly 'sys.contentType.sys.id'?: string | undefined;
}

type Doc = { readonly doc: keyof FilterSubject };
export type WebhookFilter =
  | { readonly equals: readonly [Doc, string] }
  | { readonly in: readonly [Doc, readonly string[]] }
  | { readonly regexp: readonly [Doc, { readonly pattern: string }] }
  | { readonly not: WebhookFilter };

/** Longest regexp pattern accepted. */
const MAX_PATTERN_LENGTH = 256;

/**
 * Why a filter's regular expression is refused, or undefined. A pattern runs
 * on every event of the space, so one that can backtrack without end (a
 * quantified group, `(a+)+`; a backreference) would let a definition stall
 * delivery for everyone: such patterns are refused, as is anything over 256
 * characters or not a valid expression.
 */
export function regexpFilterProblem(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `a pattern is at most ${MAX_PATTERN_LENGTH} characters`;
  if (/\)\s*[*+?{]/.test(pattern)) return 'a group may not be quantified (it could backtrack without end)';
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not supported';
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  return undefined;
}

/** Whether every filter holds for the subject (no filters: always). A refused regexp never holds. */
export function filtersMatch(filters: readonly WebhookFilter[] | null | undefined, subject: FilterSubject): boolean {
  return (filters ?? []).every((filter) => holds(filter, subject));
}

function holds(filter: WebhookFilter, subject: FilterSubject): boolean {
  if ('not' in filter) return !holds(filter.not, subject);
  if ('equals' in filter) return subject[filter.equals[0].doc] === filter.equals[1];
  if ('in' in filter) {
    const value = subject[filter.in[0].doc];
    return value !== undefined && filter.in[1].includes(value);
  }
  const [doc, { pattern }] = filter.regexp;
  const value = subject[doc.doc];
  if (value === undefined || regexpFilterProblem(pattern) !== undefined) return false;
  return new RegExp(pattern, 'u').test(value);
}
