import type { Prisma } from '@hangar/database';
import { type EnvironmentTarget, HangarError } from '@hangar/domain';

/**
 * How an asset read is shown: for one locale (flat fields, with that locale's
 * fallbacks) or all of them, and projected by `select`. Contentful's rules for
 * both live here, once, for the management and the published collections and
 * the single asset alike.
 */
export interface AssetView {
  /** The locale asked for and the codes its values are looked up under, in order (itself, then its fallbacks). */
  readonly locale?: { readonly code: string; readonly chain: readonly string[] };
  readonly select?: Selection;
}

/** `select`: the top-level parts kept whole, and those kept in part (their kept keys). */
export interface Selection {
  readonly whole: ReadonlySet<string>;
  readonly parts: ReadonlyMap<string, ReadonlySet<string>>;
}

/** An asset's fields (Contentful's fixed asset content type). */
export const ASSET_FIELD_NAMES: ReadonlySet<string> = new Set(['title', 'description', 'file']);
const SELECTABLE_ROOTS: ReadonlySet<string> = new Set(['sys', 'fields', 'metadata']);
/** Contentful's limit on the number of selected properties. */
export const MAX_SELECTED = 100;

function invalidSelect(message: string): HangarError {
  return new HangarError('InvalidQuery', message, { parameter: 'select', errors: [{ name: 'select', details: message }] });
}

/**
 * Parses `select` as Contentful does: comma-separated paths of at most two
 * levels (`sys`, `sys.id`, `fields`, `fields.title`, `metadata.tags`), at most
 * 100, each naming something an asset has. Anything else is a 400, never ignored.
 */
export function parseSelect(raw: string): Selection {
  const paths = raw.split(',').map((path) => path.trim());
  if (paths.length > MAX_SELECTED) throw invalidSelect(`select takes at most ${MAX_SELECTED} properties.`);
  const whole = new Set<string>();
  const parts = new Map<string, Set<string>>();
  for (const path of paths) {
    if (path === '') throw invalidSelect('select takes comma-separated property paths such as sys.id or fields.title; one is empty.');
    const segments = path.split('.');
    const [root, key] = segments;
    if (segments.length > 2) throw invalidSelect(`select goes two levels deep at most (fields.title); ${path} goes further.`);
    if (root === undefined || !SELECTABLE_ROOTS.has(root) || key === '') {
      throw invalidSelect(`select cannot use ${path}: an asset has sys, fields and metadata.`);
    }
    if (root === 'fields' && key !== undefined && !ASSET_FIELD_NAMES.has(key)) {
      throw invalidSelect(`select cannot use ${path}: an asset's fields are ${[...ASSET_FIELD_NAMES].join(', ')}.`);
    }
    if (key === undefined) whole.add(root);
    else parts.set(root, (parts.get(root) ?? new Set<string>()).add(key));
  }
  return { whole, parts };
}

/** The locale codes of an environment with their fallbacks: enough to resolve any one locale's chain. */
export async function localeChainOf(db: Prisma.TransactionClient, target: EnvironmentTarget, code: string): Promise<string[]> {
  const locales = await db.locale.findMany({ where: target, select: { code: true, fallbackCode: true } });
  const fallbackOf = new Map(locales.map((locale) => [locale.code, locale.fallbackCode]));
  if (!fallbackOf.has(code)) {
    throw new HangarError('BadRequest', `Unknown locale: ${code}`, { parameter: 'locale', locale: code });
  }
  const chain: string[] = [];
  // A fallback naming a code that no longer exists ends the chain, and so does a loop (the locales API refuses both).
  for (let next: string | null | undefined = code; next && fallbackOf.has(next) && !chain.includes(next); next = fallbackOf.get(next)) {
    chain.push(next);
  }
  return chain;
}

type Representation = { sys: Record<string, unknown>; fields: object; metadata?: unknown };

/**
 * One locale's flat fields: each field's value in the first locale of the
 * chain that has one (Contentful's fallback rule); a field with none is left out.
 */
function flatFields(fields: object, chain: readonly string[]): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [name, byLocale] of Object.entries(fields)) {
    if (typeof byLocale !== 'object' || byLocale === null) continue;
    const values = byLocale as Record<string, unknown>;
    const found = chain.find((code) => Object.hasOwn(values, code));
    if (found !== undefined) flat[name] = values[found];
  }
  return flat;
}

function projected(entity: Record<string, unknown>, selection: Selection): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [root, value] of Object.entries(entity)) {
    if (selection.whole.has(root)) {
      result[root] = value;
      continue;
    }
    const keys = selection.parts.get(root);
    if (!keys || typeof value !== 'object' || value === null) continue;
    result[root] = Object.fromEntries(Object.entries(value).filter(([key]) => keys.has(key)));
  }
  return result;
}

/** An asset representation as the view asks: one locale's flat fields (with `sys.locale`), then the selection. */
export function viewOf<T extends Representation>(entity: T, view: AssetView): Record<string, unknown> {
  let shown: Record<string, unknown> = entity;
  if (view.locale) {
    shown = { ...entity, sys: { ...entity.sys, locale: view.locale.code }, fields: flatFields(entity.fields, view.locale.chain) };
  }
  return view.select ? projected(shown, view.select) : shown;
}
