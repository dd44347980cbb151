import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { type AssetFile, PrismaService } from '@hangar/database';
import { NotFoundError } from '@hangar/domain';
import { StorageService } from '@hangar/storage';

/** The processed files behind delivery URLs. */
@Injectable()
export class AssetDeliveryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly storage: StorageService,
  ) {}

  /** The ready file behind a delivery URL; 404 for anything that does not match exactly. */
  async find(spaceId: string, assetId: string, token: string, fileName: string): Promise<AssetFile> {
    const file = await this.prisma.assetFile.findUnique({ where: { token } });
    if (!file || file.status !== 'ready' || file.spaceId !== spaceId || file.assetId !== assetId || file.fileName !== fileName) {
      throw new NotFoundError('File');
    }
    return file;
  }

  read(file: AssetFile, range?: { start: number; end: number }): Promise<Readable> {
    return this.storage.read(file.objectKey, range);
  }
}
