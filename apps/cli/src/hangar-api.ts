import type { HangarClient } from './api-client';

/** The environment a command works in. */
export interface EnvironmentRef {
  readonly spaceId: string;
  readonly environmentId: string;
}

export const environmentPath = ({ spaceId, environmentId }: EnvironmentRef) =>
  `/spaces/${encodeURIComponent(spaceId)}/environments/${encodeURIComponent(environmentId)}`;

export const assetPath = (ref: EnvironmentRef, assetId: string) => `${environmentPath(ref)}/assets/${encodeURIComponent(assetId)}`;

interface Link {
  sys: { type: 'Link'; linkType: string; id: string };
}

export interface AssetFile {
  contentType?: string;
  fileName?: string;
  url?: string;
  uploadFrom?: Link;
  upload?: string;
  details?: { size?: number; image?: { width: number; height: number } };
}

export interface FileProcessing {
  status: 'processing' | 'ready' | 'failed';
  reason?: string;
  updatedAt?: string;
}

export interface AssetJson {
  sys: {
    id: string;
    version: number;
    createdAt?: string;
    updatedAt?: string;
    publishedVersion?: number;
    archivedVersion?: number;
    fileProcessing?: Record<string, FileProcessing | undefined>;
  };
  fields: {
    title?: Record<string, string | undefined>;
    description?: Record<string, string | undefined>;
    file?: Record<string, AssetFile | undefined>;
  };
}

export interface Collection<T> {
  total?: number;
  skip?: number;
  limit?: number;
  items: T[];
}

interface SpaceJson {
  sys: { id: string };
  name?: string;
}

interface LocaleJson {
  code: string;
  default?: boolean;
}

/**
 * The space to work in: the one named (`--space`, else HANGAR_SPACE), else the token's only space. A token
 * that sees several must name one; the error lists them, so the user can pick.
 */
export async function resolveSpace(client: HangarClient, named: string | undefined): Promise<string> {
  if (named !== undefined && named !== '') return named;
  const spaces = await client.request<Collection<SpaceJson>>('GET', '/spaces', { query: { limit: 11 } });
  const [only] = spaces.items;
  if (spaces.items.length === 1 && only !== undefined) return only.sys.id;
  if (spaces.items.length === 0) throw new Error('this token sees no space: create one, or ask to be added to one');
  const listed = spaces.items
    .slice(0, 10)
    .map((space) => `${space.sys.id}${space.name ? ` (${space.name})` : ''}`)
    .join(', ');
  throw new Error(
    `this token sees several spaces; name one with --space (or HANGAR_SPACE): ${listed}${spaces.items.length > 10 ? ', …' : ''}`,
  );
}

/**
 * The locale to write titles and files under: the one named, which must be one of the environment's (checked
 * before anything is uploaded), else the environment's default locale.
 */
export async function resolveLocale(client: HangarClient, ref: EnvironmentRef, named?: string): Promise<string> {
  const locales = await client.request<Collection<LocaleJson>>('GET', `${environmentPath(ref)}/locales`, { query: { limit: 1000 } });
  if (named !== undefined) {
    if (locales.items.some((locale) => locale.code === named)) return named;
    const known = locales.items.map((locale) => locale.code).join(', ');
    throw new Error(`environment ${ref.environmentId} of space ${ref.spaceId} has no locale ${named} (it has ${known})`);
  }
  const found = locales.items.find((locale) => locale.default === true) ?? locales.items[0];
  if (found === undefined) throw new Error(`environment ${ref.environmentId} of space ${ref.spaceId} has no locale`);
  return found.code;
}
