import { Injectable, Logger } from '@nestjs/common';
import { Prisma } from '@hangar/database';
import type { EnvironmentTarget } from '@hangar/domain';
import { StorageService } from '@hangar/storage';

/**
 * What a locale's change does to the assets of its environment. Asset fields
 * are keyed by locale code, so a locale whose code changes takes its values
 * along (each field's value under the old code moves to the new one, and so
 * does each locale file), and a deleted locale takes them away. Both run in
 * the caller's transaction, with the locale's own change: no moment exists
 * where an asset holds values under a code no locale has. The same holds for
 * an asset's published snapshot.
 */
@Injectable()
export class AssetLocalesService {
  private readonly logger = new Logger(AssetLocalesService.name);

  constructor(private readonly storage: StorageService) {}

  /** Moves every asset value and locale file under `from` to `to` (a code no locale of the environment has). */
  async renameLocale(tx: Prisma.TransactionClient, target: EnvironmentTarget, from: string, to: string): Promise<void> {
    await rewriteLocaleValues(
      tx,
      target,
      from,
      (column) => Prisma.sql`(
        SELECT jsonb_object_agg(field.key,
          CASE WHEN jsonb_typeof(field.value) = 'object' AND field.value ? ${from}
            THEN (field.value - ${from}) || jsonb_build_object(${to}::text, field.value -> ${from})
            ELSE field.value END)
        FROM jsonb_each(a.${column}) AS field)`,
    );
    await tx.assetFile.updateMany({ where: { ...target, locale: from }, data: { locale: to } });
    await tx.publishedAssetFile.updateMany({ where: { ...target, locale: from }, data: { locale: to } });
  }

  /**
   * Removes every asset value and locale file under `code` (a field left
   * with no value goes too); returns the stored objects only the removed
   * files owned (files stored before blobs: a blob is reaped once nothing
   * references it), for {@link removeObjects} once the transaction has committed.
   */
  async dropLocale(tx: Prisma.TransactionClient, target: EnvironmentTarget, code: string): Promise<string[]> {
    await rewriteLocaleValues(
      tx,
      target,
      code,
      (column) => Prisma.sql`COALESCE((
        SELECT jsonb_object_agg(field.key, CASE WHEN jsonb_typeof(field.value) = 'object' THEN field.value - ${code} ELSE field.value END)
        FROM jsonb_each(a.${column}) AS field
        WHERE NOT (jsonb_typeof(field.value) = 'object' AND field.value ? ${code} AND (field.value - ${code}) = '{}'::jsonb)), '{}'::jsonb)`,
    );
    // The published snapshots' files are the same objects as the drafts', or their own: both go.
    const unshared = { ...target, locale: code, blobKey: null };
    const files = await tx.assetFile.findMany({ where: unshared, select: { objectKey: true } });
    const published = await tx.publishedAssetFile.findMany({ where: unshared, select: { objectKey: true } });
    await tx.assetFile.deleteMany({ where: { ...target, locale: code } });
    await tx.publishedAssetFile.deleteMany({ where: { ...target, locale: code } });
    return [...new Set([...files, ...published].map((file) => file.objectKey))];
  }

  /** Removes the objects of dropped locale files (the orphan sweeper removes any this cannot). */
  async removeObjects(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.storage.removeMany(keys).catch((error: unknown) => {
      this.logger.warn({ msg: 'could not remove the files of a deleted locale', reason: (error as Error).message });
    });
  }
}

/** The columns that hold an asset's values by locale code: its draft, and its published snapshot (null when unpublished). */
const LOCALE_VALUE_COLUMNS = [Prisma.raw('"fields"'), Prisma.raw('"publishedFields"')];

/** Sets each locale-keyed column of the environment's assets that holds a value under `code` to `rewritten(column)`. */
async function rewriteLocaleValues(
  tx: Prisma.TransactionClient,
  target: EnvironmentTarget,
  code: string,
  rewritten: (column: Prisma.Sql) => Prisma.Sql,
): Promise<void> {
  for (const column of LOCALE_VALUE_COLUMNS) {
    await tx.$executeRaw`
      UPDATE "Asset" a SET ${column} = ${rewritten(column)}
      WHERE a."spaceId" = ${target.spaceId} AND a."environmentId" = ${target.environmentId}
        AND jsonb_typeof(a.${column}) = 'object'
        AND EXISTS (SELECT 1 FROM jsonb_each(a.${column}) AS field WHERE jsonb_typeof(field.value) = 'object' AND field.value ? ${code})`;
  }
}
