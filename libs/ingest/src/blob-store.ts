import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Prisma, PrismaService } from '@hangar/database';
import { type ObjectKeyIndex, ObjectOwnershipRegistry, StorageService } from '@hangar/storage';

/** Blobs reaped per statement (and per multi-object delete: S3 takes at most 1000 keys). */
export const REAP_BATCH_SIZE = 1000;

/**
 * Content-addressed storage: the bytes of a space stored once per SHA-256, as `Blob` rows whose reference counts
 * PostgreSQL keeps (prisma/migrations/…_content_addressed_blobs): an upload that becomes ready references the
 * space's blob of its bytes or makes one, and asset files, published files, file versions and archives take the
 * reference over. Nothing in the code counts, so no path can forget to.
 *
 * A blob owns its object wherever the key lies (an index of the ownership registry), and the purge round reaps
 * blobs whose count has been zero for the grace period: the row first, so that no reference can be taken to it
 * any more, then the object (a crash in between leaves an object no row owns, which the orphan sweeper removes).
 */
@Injectable()
export class BlobStore implements ObjectKeyIndex, OnModuleInit {
  readonly kind = 'blob';
  private readonly logger = new Logger(BlobStore.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
    private readonly registry: ObjectOwnershipRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.registerIndex(this);
  }

  /** Of `keys`, those that are a blob's object — referenced, or unreferenced and waiting for the reaper. */
  async ownedKeys(keys: readonly string[]): Promise<Set<string>> {
    const rows = await this.prisma.blob.findMany({ where: { objectKey: { in: [...keys] } }, select: { objectKey: true } });
    return new Set(rows.map((row) => row.objectKey));
  }

  /**
   * Removes the stored bytes `rows` let go, once their transaction has committed: a blob at once if nothing
   * references it any more (else the last row to let it go removes it, or the purge round reaps it); an object
   * stored before blobs (no `blobKey`), which its row owned alone. Fails when storage or the database does; the
   * orphan sweeper and the purge round remove what a failure leaves.
   */
  async release(rows: readonly { readonly objectKey: string; readonly blobKey: string | null }[]): Promise<void> {
    const unshared = rows.filter((row) => row.blobKey === null).map((row) => row.objectKey);
    await Promise.all([
      unshared.length > 0 ? this.storage.removeMany(unshared) : undefined,
      this.reapIfUnreferenced(rows.map((row) => row.blobKey)),
    ]);
  }

  /**
   * Removes the blobs at `keys` (nulls skipped) now if nothing references them, without waiting for the purge
   * round's grace period. Returns how many went.
   */
  async reapIfUnreferenced(keys: readonly (string | null)[]): Promise<number> {
    const unique = [...new Set(keys.filter((key) => key !== null))];
    if (unique.length === 0) return 0;
    return this.reapWhere(Prisma.sql`"objectKey" = ANY(${unique}::text[]) AND "refCount" = 0`);
  }

  /**
   * Removes up to `limit` blobs that nothing has referenced for `graceSeconds`: their rows in one statement
   * (skipping any a transaction is taking a reference to right now: it holds the row), then their objects in one
   * multi-object delete. Returns how many it removed.
   */
  async reap(graceSeconds: number, limit = REAP_BATCH_SIZE): Promise<number> {
    return this.reapWhere(Prisma.sql`"unreferencedAt" <= (now() AT TIME ZONE 'UTC') - make_interval(secs => ${graceSeconds})
      ORDER BY "unreferencedAt" LIMIT ${limit}`);
  }

  /**
   * Deletes the unreferenced blobs `chosen` selects (a `WHERE` condition, with any order and limit) — skipping
   * rows a transaction holds while it takes a reference — then their objects.
   */
  private async reapWhere(chosen: Prisma.Sql): Promise<number> {
    const reaped = await this.prisma.$queryRaw<{ objectKey: string }[]>`
      DELETE FROM "Blob"
      WHERE "objectKey" IN (SELECT "objectKey" FROM "Blob" WHERE ${chosen} FOR UPDATE SKIP LOCKED)
      AND "refCount" = 0
      RETURNING "objectKey"`;
    await this.removeObjects(reaped.map((blob) => blob.objectKey));
    return reaped.length;
  }

  private async removeObjects(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.storage.removeMany(keys).catch((error: unknown) => {
      // No row owns them any more: the orphan sweeper removes them.
      this.logger.warn({ msg: 'could not remove the objects of reaped blobs', count: keys.length, reason: (error as Error).message });
    });
  }
}
