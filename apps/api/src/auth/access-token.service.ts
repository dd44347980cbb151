import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { newId } from '@hangar/domain';
import { AuthCacheService } from './auth-cache.service';
import { type Principal, type TokenScope } from './principal';
import { generateToken, hashToken } from './token-hash';

export interface IssuedToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  readonly createdAt: Date;
  /** The space the token is bound to, if any. */
  readonly spaceId: string | undefined;
  /** Shown once, at creation; only its hash is stored. */
  readonly token: string;
}

@Injectable()
export class AccessTokenService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cache: AuthCacheService,
  ) {}

  /** The principal of a live token, or undefined for an unknown or revoked one (kept a few seconds: AuthCacheService). */
  async authenticate(token: string): Promise<Principal | undefined> {
    const tokenHash = hashToken(token);
    return this.cache.through(
      `token:${tokenHash}`,
      () => this.lookUp(tokenHash),
      (principal) => principal !== undefined,
    );
  }

  private async lookUp(tokenHash: string): Promise<Principal | undefined> {
    const found = await this.prisma.accessToken.findUnique({
      where: { tokenHash },
      select: { id: true, revokedAt: true, scopes: true, spaceId: true, user: { select: { id: true, isAdmin: true } } },
    });
    if (!found || found.revokedAt) return undefined;
    return {
      userId: found.user.id,
      tokenId: found.id,
      isAdmin: found.user.isAdmin,
      tokenCanManage: found.scopes.includes('content_management_manage'),
      boundSpaceId: found.spaceId ?? undefined,
    };
  }

  /** A new token; `spaceId` binds it to that space (the caller has checked the user may see it). */
  async issue(userId: string, name: string, scopes: readonly TokenScope[], spaceId?: string): Promise<IssuedToken> {
    const token = generateToken();
    const row = await this.prisma.accessToken.create({
      data: { id: newId(), userId, name, scopes: [...scopes], tokenHash: hashToken(token), spaceId: spaceId ?? null },
    });
    return { id: row.id, userId, name, scopes, createdAt: row.createdAt, spaceId, token };
  }

  async revoke(userId: string, tokenId: string): Promise<boolean> {
    const { count } = await this.prisma.accessToken.updateMany({
      where: { id: tokenId, userId, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (count === 1) await this.cache.invalidate();
    return count === 1;
  }
}
