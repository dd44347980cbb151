import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { type ObjectOwner, ObjectOwnershipRegistry } from '@hangar/storage';
import { FILES_PREFIX } from './file-keys';

/**
 * File versions own their objects (`files/{space}/{upload id}`). While a write's
 * bytes still arrive, the upload session that writes them (an Upload row with
 * that key) owns the object and its multipart upload; the version takes them
 * over in the transaction that consumes the session.
 */
@Injectable()
export class FileVersionObjectOwner implements ObjectOwner, OnModuleInit {
  readonly kind = 'file-version';
  readonly prefix = FILES_PREFIX;

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: ObjectOwnershipRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async ownedKeys(keys: readonly string[]): Promise<Set<string>> {
    const objectKey = { in: [...keys] };
    const [versions, sessions] = await Promise.all([
      this.prisma.fileVersion.findMany({ where: { objectKey }, select: { objectKey: true } }),
      this.prisma.upload.findMany({ where: { objectKey }, select: { objectKey: true } }),
    ]);
    return new Set([...versions, ...sessions].map((row) => row.objectKey));
  }

  async ownsMultipart(key: string, uploadId: string): Promise<boolean> {
    const session = await this.prisma.upload.findUnique({ where: { objectKey: key }, select: { status: true, multipartUploadId: true } });
    return session?.status === 'pending' && session.multipartUploadId === uploadId;
  }
}
