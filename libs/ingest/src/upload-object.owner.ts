import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { type ObjectOwner, ObjectOwnershipRegistry } from '@hangar/storage';
import { objectKeyOfTail, UPLOADS_PREFIX, uploadTailKey } from './upload-keys';

/**
 * Uploads own their object (`uploads/{space}/{env}/{id}`), the current tail
 * of a pending session (`….tail-{offset}`), and the multipart upload a
 * pending session records.
 */
@Injectable()
export class UploadObjectOwner implements ObjectOwner, OnModuleInit {
  readonly kind = 'upload';
  readonly prefix = UPLOADS_PREFIX;

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: ObjectOwnershipRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async ownedKeys(keys: readonly string[]): Promise<Set<string>> {
    const objectKeys = keys.map((key) => objectKeyOfTail(key) ?? key);
    const rows = await this.prisma.upload.findMany({
      where: { objectKey: { in: [...new Set(objectKeys)] } },
      select: { objectKey: true, receivedBytes: true, tailBytes: true },
    });
    const owned = new Set<string>();
    for (const row of rows) {
      owned.add(row.objectKey);
      if (row.tailBytes > 0) owned.add(uploadTailKey(row.objectKey, Number(row.receivedBytes)));
    }
    return new Set(keys.filter((key) => owned.has(key)));
  }

  async ownsMultipart(key: string, uploadId: string): Promise<boolean> {
    // Only a pending session writes its key (a ready upload's key may be a blob other uploads share).
    const row = await this.prisma.upload.findFirst({ where: { objectKey: key, status: 'pending' }, select: { multipartUploadId: true } });
    return row?.multipartUploadId === uploadId;
  }
}
