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

/** Everything an upload request may leave in a space: rows, objects, and incomplete S3 multipart uploads (their keys). */
export async function allUploadLeftovers(
  app: INestApplicationContext,
  spaceId: string,
): Promise<{ rows: number; objects: string[]; multipart: string[] }> {
  const [left, incomplete] = await Promise.all([
    uploadLeftovers(app, spaceId),
    app.get(StorageService).listIncompleteMultipart(uploadObjectPrefix(spaceId)),
  ]);
  return { ...left, multipart: incomplete.uploads.map((upload) => upload.key) };
}
