import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { PrismaService } from '@hangar/database';
import { newId } from '@hangar/domain';
import { hashToken } from '../auth/token-hash';

export const SEEDED_TOKEN_NAME = 'HANGAR_ADMIN_TOKEN';

/**
 * Makes `HANGAR_ADMIN_TOKEN` a live administrator token at boot. Idempotent,
 * and safe when several api replicas boot at once; a changed token replaces
 * the previously seeded one.
 */
@Injectable()
export class AdminSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminSeedService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { token, email } = this.config.admin;
    if (!token) return;
    const tokenHash = hashToken(token);
    await this.prisma.$transaction(async (tx) => {
      // Serialise concurrent seeders so the upserts below cannot race each other.
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('hangar:admin-seed'))`);
      const admin = await tx.user.upsert({
        where: { email },
        create: { id: newId(), email, firstName: 'Hangar', lastName: 'Administrator', isAdmin: true },
        update: { isAdmin: true },
      });
      await tx.accessToken.upsert({
        where: { tokenHash },
        create: { id: newId(), userId: admin.id, name: SEEDED_TOKEN_NAME, tokenHash, scopes: ['content_management_manage'] },
        update: { userId: admin.id, revokedAt: null },
      });
      await tx.accessToken.updateMany({
        where: { userId: admin.id, name: SEEDED_TOKEN_NAME, tokenHash: { not: tokenHash }, revokedAt: null },
        data: { revokedAt: new Date() },
      });
    });
    this.logger.log({ msg: 'administrator token from HANGAR_ADMIN_TOKEN is active', email });
  }
}
