import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type SpaceMembership, type SpaceRole, type User } from '@hangar/database';
import { newId, NotFoundError, ValidationFailedError } from '@hangar/domain';
import type { Page } from '../common/collection';

export interface NewUser {
  readonly email: string;
  readonly firstName?: string | undefined;
  readonly lastName?: string | undefined;
  readonly admin?: boolean | undefined;
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

@Injectable()
export class UsersService {
  constructor(private readonly prisma: PrismaService) {}

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

  async addMember(spaceId: string, userId: string, role: SpaceRole): Promise<SpaceMembership> {
    const user = await this.prisma.user.findUnique({ where: { id: userId }, select: { id: true } });
    if (!user) {
      throw new ValidationFailedError([{ name: 'notResolvable', path: ['user'], details: `User ${userId} does not exist.` }]);
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
  }
}
