import { HangarError } from '@hangar/domain';

/**
 * Text PostgreSQL cannot store: NUL (refused in `text` and `jsonb`) and UTF-16
 * surrogates without their other half (JSON.parse turns `"\ud800"` into one;
 * the driver would silently store U+FFFD in its place). Without the `u` flag
 * the pattern matches code units, which is what finds a half of a pair.
 */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const MESSAGE = 'Text may not contain NUL characters or unpaired UTF-16 surrogates.';

export function isUnstorableText(text: string): boolean {
  return UNSTORABLE.test(text);
}

/** A node of the walk; paths are built from the parent links only for the (one) string refused. */
interface Visit {
  readonly value: unknown;
  readonly key?: string | number;
  readonly parent?: Visit;
}

function pathOf(visit: Visit, lastKey?: string): (string | number)[] {
  const reversed: (string | number)[] = lastKey === undefined ? [] : [lastKey];
  for (let current: Visit | undefined = visit; current?.key !== undefined; current = current.parent) reversed.push(current.key);
  return reversed.reverse();
}

/**
 * The path of the first string — object key or value — in a parsed JSON value
 * that cannot be stored, or undefined when every string can. It walks with
 * its own stack: a body nested a hundred thousand levels deep is valid JSON
 * and must not overflow the call stack.
 */
export function findUnstorableText(value: unknown): (string | number)[] | undefined {
  const pending: Visit[] = [{ value }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    const current = visit.value;
    if (typeof current === 'string') {
      if (isUnstorableText(current)) return pathOf(visit);
    } else if (typeof current === 'object' && current !== null) {
      const entries: [string | number, unknown][] = Array.isArray(current) ? [...current.entries()] : Object.entries(current);
      const badKey = entries.find(([key]) => typeof key === 'string' && isUnstorableText(key));
      if (badKey) return pathOf(visit, badKey[0] as string);
      // Pushed last to first, so they are visited in document order.
      for (let index = entries.length - 1; index >= 0; index -= 1) {
        const [key, item] = entries[index] as [string | number, unknown];
        pending.push({ value: item, key, parent: visit });
      }
    }
  }
  return undefined;
}

/** The 400 for a JSON body holding text that cannot be stored, naming where it is; undefined when there is none. */
export function unstorableBodyError(body: unknown): HangarError | undefined {
  const path = findUnstorableText(body);
  return path === undefined ? undefined : new HangarError('BadRequest', MESSAGE, { path });
}

/** The 400 for a query parameter (name or value) that cannot be stored, naming the parameter; undefined when there is none. */
export function unstorableQueryError(query: Readonly<Record<string, unknown>>): HangarError | undefined {
  for (const [parameter, value] of Object.entries(query)) {
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (isUnstorableText(parameter) || values.some((item) => typeof item === 'string' && isUnstorableText(item)))
      return new HangarError('BadRequest', MESSAGE, { parameter });
  }
  return undefined;
}
