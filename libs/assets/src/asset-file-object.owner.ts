import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { type ObjectOwner, ObjectOwnershipRegistry } from '@hangar/storage';
import { ASSETS_PREFIX } from './asset-keys';

/** Asset files own the object their processing writes (`assets/{space}/{env}/{asset}/{locale}/{token}`). */
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
    const rows = await this.prisma.assetFile.findMany({ where: { objectKey: { in: [...keys] } }, select: { objectKey: true } });
    return new Set(rows.map((row) => row.objectKey));
  }

  /** Processing copies on the server in one request: no asset file ever has a multipart upload of its own. */
  ownsMultipart(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
