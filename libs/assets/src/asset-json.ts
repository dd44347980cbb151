import { Prisma, type PrismaService } from '@hangar/database';
import type { EnvironmentTarget } from '@hangar/domain';
import type { AssetCollection } from './assets.service';

/**
 * Assets as JSON text rendered by PostgreSQL, for collection pages in the
 * default view (all locales, no `select`): the api passes the text through
 * instead of reading 100 rows and their files into objects, building each
 * entity and serialising it again (most of a page's time and garbage).
 *
 * The SQL below is `assetEntity` and `publishedAssetEntity` (asset-entity.ts)
 * written for PostgreSQL: the same members, in the same order, absent ones
 * left out. test/asset-listing-counts.e2e-spec.ts compares the two for assets
 * in every state, so a change to one without the other fails there.
 */

/** ISO 8601 in UTC with milliseconds, as `Date.toISOString()` (the columns are `timestamp(3)`, in UTC). */
const iso = (column: Prisma.Sql) => Prisma.sql`to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const link = (type: string, id: Prisma.Sql) =>
  Prisma.sql`json_build_object('sys', json_build_object('type', 'Link', 'linkType', ${type}::text, 'id', ${id}))`;
const userLink = (id: Prisma.Sql) => Prisma.sql`CASE WHEN ${id} IS NOT NULL THEN ${link('User', id)} END`;

/** `fileProcessing`: per locale, its status, its failure (if any) and when it last changed; absent without files. */
const FILE_PROCESSING = Prisma.sql`(
  SELECT json_object_agg(f."locale", json_strip_nulls(json_build_object(
    'status', f."status", 'reason', NULLIF(f."failureReason", ''), 'updatedAt', ${iso(Prisma.sql`f."updatedAt"`)}
  )) ORDER BY f."locale")
  FROM "AssetFile" f
  WHERE f."spaceId" = a."spaceId" AND f."environmentId" = a."environmentId" AND f."assetId" = a."id"
)`;

// json_strip_nulls drops the members an entity leaves out (sys holds no null that is meant to be shown).
const MANAGEMENT = Prisma.sql`json_build_object(
  'metadata', json_build_object('tags', '[]'::json),
  'sys', json_strip_nulls(json_build_object(
    'type', 'Asset', 'id', a."id", 'version', a."version",
    'space', ${link('Space', Prisma.sql`a."spaceId"`)},
    'environment', ${link('Environment', Prisma.sql`a."environmentId"`)},
    'createdAt', ${iso(Prisma.sql`a."createdAt"`)}, 'createdBy', ${link('User', Prisma.sql`a."createdById"`)},
    'updatedAt', ${iso(Prisma.sql`a."updatedAt"`)}, 'updatedBy', ${link('User', Prisma.sql`a."updatedById"`)},
    'publishedCounter', a."publishedCounter", 'publishedVersion', a."publishedVersion",
    'publishedAt', ${iso(Prisma.sql`a."publishedAt"`)}, 'publishedBy', ${userLink(Prisma.sql`a."publishedById"`)},
    'firstPublishedAt', ${iso(Prisma.sql`a."firstPublishedAt"`)},
    'archivedVersion', a."archivedVersion", 'archivedAt', ${iso(Prisma.sql`a."archivedAt"`)},
    'archivedBy', ${userLink(Prisma.sql`a."archivedById"`)},
    'fileProcessing', ${FILE_PROCESSING}
  )),
  'fields', a."fields"
)`;

const PUBLISHED = Prisma.sql`json_build_object(
  'metadata', json_build_object('tags', '[]'::json),
  'sys', json_strip_nulls(json_build_object(
    'type', 'Asset', 'id', a."id", 'version', a."publishedVersion",
    'space', ${link('Space', Prisma.sql`a."spaceId"`)},
    'environment', ${link('Environment', Prisma.sql`a."environmentId"`)},
    'createdAt', ${iso(Prisma.sql`a."createdAt"`)}, 'createdBy', ${link('User', Prisma.sql`a."createdById"`)},
    'updatedAt', ${iso(Prisma.sql`a."publishedAt"`)}, 'updatedBy', ${userLink(Prisma.sql`a."publishedById"`)},
    'publishedCounter', a."publishedCounter", 'publishedVersion', a."publishedVersion",
    'publishedAt', ${iso(Prisma.sql`a."publishedAt"`)}, 'publishedBy', ${userLink(Prisma.sql`a."publishedById"`)},
    'firstPublishedAt', ${iso(Prisma.sql`a."firstPublishedAt"`)}
  )),
  'fields', a."publishedFields"
)`;

/**
 * The assets `ids` of an environment, each as its JSON text, in the order of
 * `ids`. An asset deleted (or, for the published collection, unpublished)
 * since its id was read is left out, as if the page had been read after.
 */
export async function renderedAssets(
  db: PrismaService,
  target: EnvironmentTarget,
  collection: AssetCollection,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const published = collection === 'published';
  const page = ids as string[];
  // `= ANY` is one primary-key probe per id whatever the table's statistics say (a join with the unnested ids may
  // be planned as a scan of the whole environment).
  const rows = await db.$queryRaw<{ json: string }[]>`
    SELECT (${published ? PUBLISHED : MANAGEMENT})::text AS "json"
    FROM "Asset" a
    WHERE a."spaceId" = ${target.spaceId} AND a."environmentId" = ${target.environmentId} AND a."id" = ANY(${page}::text[])
    ${published ? Prisma.sql`AND a."publishedVersion" IS NOT NULL AND a."publishedFields" IS NOT NULL` : Prisma.empty}
    ORDER BY array_position(${page}::text[], a."id")`;
  return rows.map((row) => row.json);
}
