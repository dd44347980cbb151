import { Injectable } from '@nestjs/common';
import { constraintViolationOf, PrismaService, type SpaceMembership, type SpaceRole, type User } from '@hangar/database';
import { newId, NotFoundError, ValidationFailedError } from '@hangar/domain';
import type { Principal } from '../auth/principal';
import type { Page } from '../common/collection';
import { AuthCacheService } from '../auth/auth-cache.service';

export interface NewUser {
  readonly email: string;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly admin?: boolean | undefined;
}

function isUniqueViolation(error: unknown): boolean {
  return constraintViolationOf(error)?.kind === 'unique';
}

@Injectable()
export class UsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly authCache: AuthCacheService,
  ) {}

  async get(userId: string): Promise<User> {
    const user = await this.prisma.user.findUnique({ where: { id: userId } });
    if (!user) throw new NotFoundError('User', userId);
    return user;
  }

  async create(input: NewUser): Promise<User> {
    try {
      return await this.prisma.user.create({
        data: {
          id: newId(),
          email: input.email.toLowerCase(),
          firstName: input.firstName,
          lastName: input.lastName,
          isAdmin: input.admin ?? false,
        },
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ValidationFailedError([{ name: 'taken', path: ['email'], details: 'A user with this email exists.' }]);
      }
      throw error;
    }
  }

  /**
   * Adds a user to a space. An administrator may add anyone; anyone else (a
   * manager of the space) only a user they already share a space with, whose
   * id they can see in that space's memberships. Any other id — of no user, or
   * of a user they have no relation to — is the same 422 `notResolvable` in
   * one query: the route must not tell who exists, and must not drop a user
   * into a space of a stranger's.
   */
  async addMember(principal: Principal, spaceId: string, userId: string, role: SpaceRole): Promise<SpaceMembership> {
    const user = await this.prisma.user.findFirst({
      where: principal.isAdmin
        ? { id: userId }
        : { id: userId, memberships: { some: { space: { memberships: { some: { userId: principal.userId } } } } } },
      select: { id: true },
    });
    if (!user) {
      const details = principal.isAdmin ? `User ${userId} does not exist.` : `No user ${userId} that you share a space with was found.`;
      throw new ValidationFailedError([{ name: 'notResolvable', path: ['user'], details }]);
    }
    try {
      return await this.prisma.spaceMembership.create({ data: { id: newId(), spaceId, userId, role } });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ValidationFailedError([{ name: 'taken', path: ['user'], details: 'This user is already a member.' }]);
      }
      throw error;
    }
  }

  async members(spaceId: string, page: Page): Promise<{ items: SpaceMembership[]; total: number }> {
    const [items, total] = await Promise.all([
      this.prisma.spaceMembership.findMany({ where: { spaceId }, orderBy: { createdAt: 'asc' }, skip: page.skip, take: page.limit }),
      this.prisma.spaceMembership.count({ where: { spaceId } }),
    ]);
    return { items, total };
  }

  async removeMember(spaceId: string, membershipId: string): Promise<void> {
    const { count } = await this.prisma.spaceMembership.deleteMany({ where: { id: membershipId, spaceId } });
    if (count === 0) throw new NotFoundError('SpaceMembership', membershipId);
    await this.authCache.invalidate();
  }
}
