import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { UploadObjectOwner } from '@hangar/ingest';
import { type ObjectOwner, ObjectOwnershipRegistry } from '@hangar/storage';
import { FILES_PREFIX } from './file-keys';

/**
 * File versions own their objects (`files/{space}/{upload id}`). While a write's
 * bytes still arrive, the upload session that writes them (an Upload row with
 * that key) owns the object and its multipart upload; the version takes them
 * over in the transaction that consumes the session. What a session owns is
 * the upload rule's (UploadObjectOwner) wherever its object lies: asked, not
 * restated here. A ZIP archive waiting to be expanded is owned by its
 * FileExpansion row (`archiveKey`) until the expansion ends; the entries an
 * expansion writes (`files/{space}/expansions/{id}/…`) by their sessions until
 * its commit makes them versions.
 */
@Injectable()
export class FileVersionObjectOwner implements ObjectOwner, OnModuleInit {
  readonly kind = 'file-version';
  readonly prefix = FILES_PREFIX;

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: ObjectOwnershipRegistry,
    private readonly sessions: UploadObjectOwner,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async ownedKeys(keys: readonly string[]): Promise<Set<string>> {
    const [versions, archives, bySessions] = await Promise.all([
      this.prisma.fileVersion.findMany({ where: { objectKey: { in: [...keys] } }, select: { objectKey: true } }),
      this.prisma.fileExpansion.findMany({ where: { archiveKey: { in: [...keys] } }, select: { archiveKey: true } }),
      this.sessions.ownedKeys(keys),
    ]);
    return new Set([
      ...bySessions,
      ...versions.map((row) => row.objectKey),
      ...archives.flatMap((row) => (row.archiveKey === null ? [] : [row.archiveKey])),
    ]);
  }

  ownsMultipart(key: string, uploadId: string): Promise<boolean> {
    return this.sessions.ownsMultipart(key, uploadId);
  }
}
