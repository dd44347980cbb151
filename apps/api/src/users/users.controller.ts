import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import { NotFoundError } from '@hangar/domain';
import { AccessTokenService } from '../auth/access-token.service';
import { AdminOnly } from '../auth/auth.decorators';
import { SpaceAccessService } from '../auth/space-access.service';
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

const spaceLink = z.object({ sys: z.object({ type: z.literal('Link'), linkType: z.literal('Space'), id: z.string().min(1).max(64) }) });

const createTokenBody = z.object({
  name: z.string().trim().min(1).max(255),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1).max(TOKEN_SCOPES.length),
  /** Binds the token to this space: it acts there only (and is how Capillary and Akana requests find their space). */
  space: spaceLink.optional(),
});

const userLink = z.object({ sys: z.object({ type: z.literal('Link'), linkType: z.literal('User'), id: z.string().min(1).max(64) }) });

const createMembershipBody = z.object({ user: userLink, role: z.enum(['manager', 'viewer']) });

@Controller()
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: AccessTokenService,
    private readonly spaces: SpaceAccessService,
  ) {}

  /**
   * The space a new token of `owner` is bound to. A token made with a bound token is bound to the same space (it
   * cannot mint its way out); a space the owner cannot see is the same 404 as everywhere.
   */
  private async bindingFor(owner: Pick<Principal, 'userId' | 'isAdmin'>, caller: Principal, requested: string | undefined) {
    const spaceId = requested ?? caller.boundSpaceId;
    if (spaceId === undefined) return undefined;
    if (caller.boundSpaceId !== undefined && caller.boundSpaceId !== spaceId) throw new NotFoundError('Space', spaceId);
    const principal = { ...caller, userId: owner.userId, isAdmin: owner.isAdmin };
    if (!(await this.spaces.accessTo(principal, spaceId))) throw new NotFoundError('Space', spaceId);
    return spaceId;
  }

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
    const spaceId = await this.bindingFor(principal, principal, body.space?.sys.id);
    return personalAccessTokenResource(await this.tokens.issue(principal.userId, body.name, body.scopes, spaceId));
  }

  @Put('users/me/access_tokens/:tokenId/revoked')
  @HttpCode(204)
  async revokeOwnToken(@CurrentPrincipal() principal: Principal, @Param('tokenId') tokenId: string) {
    if (!(await this.tokens.revoke(principal.userId, tokenId))) throw new NotFoundError('PersonalAccessToken', tokenId);
  }

  @Post('users/:userId/access_tokens')
  @HttpCode(201)
  @AdminOnly()
  async createTokenFor(
    @CurrentPrincipal() principal: Principal,
    @Param('userId') userId: string,
    @JsonBody(createTokenBody) body: z.output<typeof createTokenBody>,
  ) {
    const owner = await this.users.get(userId);
    const spaceId = await this.bindingFor({ userId, isAdmin: owner.isAdmin }, principal, body.space?.sys.id);
    return personalAccessTokenResource(await this.tokens.issue(userId, body.name, body.scopes, spaceId));
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
