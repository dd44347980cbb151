import type { INestApplicationContext } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { StorageService } from '@hangar/storage';
import { uploadObjectPrefix } from '@hangar/ingest';

/** What a space has left in PostgreSQL (rows of any status) and in MinIO (objects). */
export async function uploadLeftovers(app: INestApplicationContext, spaceId: string): Promise<{ rows: number; objects: string[] }> {
  const prisma = app.get(PrismaService);
  const storage = app.get(StorageService);
  const [rows, objects] = await Promise.all([prisma.upload.count({ where: { spaceId } }), storage.listKeys(uploadObjectPrefix(spaceId))]);
  return { rows, objects };
}
