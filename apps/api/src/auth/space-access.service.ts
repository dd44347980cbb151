import { Injectable } from '@nestjs/common';
import { PrismaService, SpaceRole } from '@hangar/database';
import { AuthCacheService } from './auth-cache.service';
import type { Principal } from './principal';

/** What a principal may do in a space, and whether an environment named in the same request exists there. */
export interface SpaceAccess {
  readonly role: SpaceRole;
  /** Undefined when the request names no environment. */
  readonly environmentExists: boolean | undefined;
}

@Injectable()
export class SpaceAccessService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly cache: AuthCacheService,
  ) {}

  /**
   * The principal's role in a space; undefined when the space does not exist
   * or the principal is not a member, which callers must not tell apart.
   * Administrators manage every space. The environment a route names is
   * looked up in the same round trip (every request under an environment
   * needs both answers). A grant is kept a few seconds (AuthCacheService);
   * a refusal, or an environment found missing, never is: a membership or
   * environment just made must work at once.
   */
  async accessTo(principal: Principal, spaceId: string, environmentId?: string): Promise<SpaceAccess | undefined> {
    const who = principal.isAdmin ? 'admin' : principal.userId;
    return this.cache.through(
      `access:${who}:${spaceId}:${environmentId ?? ''}`,
      () => this.lookUp(principal, spaceId, environmentId),
      (access) => access !== undefined && access.environmentExists !== false,
    );
  }

  private async lookUp(principal: Principal, spaceId: string, environmentId?: string): Promise<SpaceAccess | undefined> {
    const rows = principal.isAdmin
      ? await this.prisma.$queryRaw<{ role: string; environmentExists: boolean }[]>`
          SELECT 'manager' AS "role",
                 EXISTS (SELECT 1 FROM "Environment" e WHERE e."spaceId" = s."id" AND e."id" = ${environmentId ?? null}) AS "environmentExists"
          FROM "Space" s WHERE s."id" = ${spaceId}`
      : await this.prisma.$queryRaw<{ role: string; environmentExists: boolean }[]>`
          SELECT m."role"::text AS "role",
                 EXISTS (SELECT 1 FROM "Environment" e WHERE e."spaceId" = m."spaceId" AND e."id" = ${environmentId ?? null}) AS "environmentExists"
          FROM "SpaceMembership" m WHERE m."spaceId" = ${spaceId} AND m."userId" = ${principal.userId}`;
    const row = rows[0];
    if (!row) return undefined;
    return {
      role: row.role === 'manager' ? SpaceRole.manager : SpaceRole.viewer,
      environmentExists: environmentId === undefined ? undefined : row.environmentExists,
    };
  }
}
