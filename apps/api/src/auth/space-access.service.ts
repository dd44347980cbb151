import { Injectable } from '@nestjs/common';
import { PrismaService, SpaceRole } from '@hangar/database';
import type { Principal } from './principal';

@Injectable()
export class SpaceAccessService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The principal's role in a space; undefined when the space does not exist
   * or the principal is not a member, which callers must not tell apart.
   * Administrators manage every space.
   */
  async roleIn(principal: Principal, spaceId: string): Promise<SpaceRole | undefined> {
    if (principal.isAdmin) {
      const space = await this.prisma.space.findUnique({ where: { id: spaceId }, select: { id: true } });
      return space ? SpaceRole.manager : undefined;
    }
    const membership = await this.prisma.spaceMembership.findUnique({
      where: { spaceId_userId: { spaceId, userId: principal.userId } },
      select: { role: true },
    });
    return membership?.role;
  }
}
