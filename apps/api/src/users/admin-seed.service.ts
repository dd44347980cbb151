import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { PrismaService } from '@hangar/database';
import { newId } from '@hangar/domain';
import { hashToken } from '../auth/token-hash';
import { AuthCacheService } from '../auth/auth-cache.service';

export const SEEDED_TOKEN_NAME = 'HANGAR_ADMIN_TOKEN';

function refusalToPromote(email: string): string {
  return (
    `HANGAR_ADMIN_EMAIL (${email}) is an existing user who is not an administrator: refusing to make them one. ` +
    'Set HANGAR_ADMIN_PROMOTE_EXISTING=true to do so, or choose an email no user has.'
  );
}

/**
 * Makes `HANGAR_ADMIN_TOKEN` a live administrator token at boot. Idempotent,
 * and safe when several api replicas boot at once; a changed token replaces
 * the previously seeded one.
 *
 * `HANGAR_ADMIN_EMAIL` naming an existing user who is not an administrator
 * stops the boot unless `HANGAR_ADMIN_PROMOTE_EXISTING=true`: silently making
 * them one (with every token they hold) — or attaching a token the operator
 * knows to their account — is not something a typo should be able to do.
 */
@Injectable()
export class AdminSeedService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminSeedService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly authCache: AuthCacheService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { token, email, promoteExisting } = this.config.admin;
    if (!token) return;
    const tokenHash = hashToken(token);
    const promoted = await this.prisma.$transaction(async (tx) => {
      // Serialise concurrent seeders so the writes below cannot race each other.
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('hangar:admin-seed'))`);
      const existing = await tx.user.findUnique({ where: { email }, select: { id: true, isAdmin: true } });
      if (existing && !existing.isAdmin && !promoteExisting) throw new Error(refusalToPromote(email));
      const admin =
        existing ?? (await tx.user.create({ data: { id: newId(), email, firstName: 'Hangar', lastName: 'Administrator', isAdmin: true } }));
      if (!admin.isAdmin) await tx.user.update({ where: { id: admin.id }, data: { isAdmin: true } });
      await tx.accessToken.upsert({
        where: { tokenHash },
        create: { id: newId(), userId: admin.id, name: SEEDED_TOKEN_NAME, tokenHash, scopes: ['content_management_manage'] },
        update: { userId: admin.id, revokedAt: null },
      });
      await tx.accessToken.updateMany({
        where: { userId: admin.id, name: SEEDED_TOKEN_NAME, tokenHash: { not: tokenHash }, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      return !admin.isAdmin;
    });
    // A previous administrator token it revoked may be kept by other api processes.
    await this.authCache.invalidate();
    if (promoted) this.logger.warn({ msg: 'existing user made an administrator (HANGAR_ADMIN_PROMOTE_EXISTING=true)', email });
    this.logger.log({ msg: 'administrator token from HANGAR_ADMIN_TOKEN is active', email });
  }
}
