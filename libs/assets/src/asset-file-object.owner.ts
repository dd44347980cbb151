import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { type ObjectOwner, ObjectOwnershipRegistry } from '@hangar/storage';
import { ASSETS_PREFIX } from './asset-keys';

/**
 * Asset files own the object their processing writes (`assets/{space}/{env}/{asset}/{locale}/{token}`), and so
 * do published asset files (the same objects, held while a published snapshot names them).
 */
@Injectable()
export class AssetFileObjectOwner implements ObjectOwner, OnModuleInit {
  readonly kind = 'asset-file';
  readonly prefix = ASSETS_PREFIX;

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: ObjectOwnershipRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async ownedKeys(keys: readonly string[]): Promise<Set<string>> {
    const where = { objectKey: { in: [...keys] } };
    const [drafts, published] = await Promise.all([
      this.prisma.assetFile.findMany({ where, select: { objectKey: true } }),
      this.prisma.publishedAssetFile.findMany({ where, select: { objectKey: true } }),
    ]);
    return new Set([...drafts, ...published].map((row) => row.objectKey));
  }

  /** Processing copies on the server in one request: no asset file ever has a multipart upload of its own. */
  ownsMultipart(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
