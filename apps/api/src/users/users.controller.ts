import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import { NotFoundError } from '@hangar/domain';
import { AccessTokenService } from '../auth/access-token.service';
import { AdminOnly } from '../auth/auth.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { type Principal, TOKEN_SCOPES } from '../auth/principal';
import { collection, parsePage } from '../common/collection';
import { JsonBody } from '../common/json-body.decorator';
import { personalAccessTokenResource, spaceMembershipResource, userResource } from './user.resources';
import { UsersService } from './users.service';

const createUserBody = z.object({
  email: z.email().max(320),
  firstName: z.string().trim().max(255).optional(),
  lastName: z.string().trim().max(255).optional(),
  admin: z.boolean().optional(),
});

const createTokenBody = z.object({
  name: z.string().trim().min(1).max(255),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(TOKEN_SCOPES.length),
});

const userLink = z.object({ sys: z.object({ type: z.literal('Link'), linkType: z.literal('User'), id: z.string().min(1).max(64) }) });

const createMembershipBody = z.object({ user: userLink, role: z.enum(['manager', 'viewer']) });

@Controller()
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: AccessTokenService,
  ) {}

  @Get('users/me')
  async me(@CurrentPrincipal() principal: Principal) {
    return userResource(await this.users.get(principal.userId));
  }

  @Post('users')
  @HttpCode(201)
  @AdminOnly()
  async create(@JsonBody(createUserBody) body: z.output<typeof createUserBody>) {
    return userResource(await this.users.create(body));
  }

  @Post('users/me/access_tokens')
  @HttpCode(201)
  async createOwnToken(@CurrentPrincipal() principal: Principal, @JsonBody(createTokenBody) body: z.output<typeof createTokenBody>) {
    return personalAccessTokenResource(await this.tokens.issue(principal.userId, body.name, body.scopes));
  }

  @Put('users/me/access_tokens/:tokenId/revoked')
  @HttpCode(204)
  async revokeOwnToken(@CurrentPrincipal() principal: Principal, @Param('tokenId') tokenId: string) {
    if (!(await this.tokens.revoke(principal.userId, tokenId))) throw new NotFoundError('PersonalAccessToken', tokenId);
  }

  @Post('users/:userId/access_tokens')
  @HttpCode(201)
  @AdminOnly()
  async createTokenFor(@Param('userId') userId: string, @JsonBody(createTokenBody) body: z.output<typeof createTokenBody>) {
    await this.users.get(userId);
    return personalAccessTokenResource(await this.tokens.issue(userId, body.name, body.scopes));
  }

  @Get('spaces/:spaceId/space_memberships')
  async members(@Param('spaceId') spaceId: string, @Query() query: Record<string, unknown>) {
    const page = parsePage(query);
    const { items, total } = await this.users.members(spaceId, page);
    return collection(items.map(spaceMembershipResource), total, page);
  }

  @Post('spaces/:spaceId/space_memberships')
  @HttpCode(201)
  async addMember(
    @CurrentPrincipal() principal: Principal,
    @Param('spaceId') spaceId: string,
    @JsonBody(createMembershipBody) body: z.output<typeof createMembershipBody>,
  ) {
    return spaceMembershipResource(await this.users.addMember(principal, spaceId, body.user.sys.id, body.role));
  }

  @Delete('spaces/:spaceId/space_memberships/:membershipId')
  @HttpCode(204)
  async removeMember(@Param('spaceId') spaceId: string, @Param('membershipId') membershipId: string) {
    await this.users.removeMember(spaceId, membershipId);
  }
}
