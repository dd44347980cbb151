import type { PrismaService } from '@hangar/database';

/**
 * How many rows reference the blob at `key`, counted from the tables themselves: what its `refCount` (kept by
 * PostgreSQL triggers) must equal.
 */
export async function rowsReferencing(prisma: PrismaService, key: string): Promise<number> {
  const where = { blobKey: key };
  const counts = await Promise.all([
    prisma.upload.count({ where }),
    prisma.assetFile.count({ where }),
    prisma.publishedAssetFile.count({ where }),
    prisma.fileVersion.count({ where }),
    prisma.fileExpansion.count({ where }),
  ]);
  return counts.reduce((sum, count) => sum + count, 0);
}
