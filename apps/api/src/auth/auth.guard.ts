import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { AccessDeniedError, HangarError, NotFoundError } from '@hangar/domain';
import { SpaceRole } from '@hangar/database';
import type { HangarRequest } from '../common/http-request';
import { AccessTokenService } from './access-token.service';
import { ADMIN_ONLY, PUBLIC_ROUTE } from './auth.decorators';
import { RateLimitService } from './rate-limit.service';
import { SpaceAccessService } from './space-access.service';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Every route needs a valid token unless marked `@Public()`. Routes under
 * `/spaces/:spaceId` also need membership: a space the caller cannot see
 * answers 404 exactly as a missing one; a read-only role or token that tries
 * to write gets 403.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: AccessTokenService,
    private readonly spaces: SpaceAccessService,
    private readonly rateLimits: RateLimitService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<HangarRequest>();
    const token = BEARER.exec(request.header('authorization') ?? '')?.[1];
    const principal = token ? await this.tokens.authenticate(token) : undefined;
    if (!principal) {
      throw new HangarError('AccessTokenInvalid', 'The access token you sent could not be found or is invalid.');
    }
    request.principal = principal;
    await this.rateLimits.consume(principal.tokenId, context.switchToHttp().getResponse<Response>());

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && !principal.isAdmin) {
      throw new AccessDeniedError('Only an administrator may do this.');
    }
    const { spaceId, environmentId } = request.params;
    if (typeof spaceId === 'string') {
      const access = await this.spaces.accessTo(principal, spaceId, typeof environmentId === 'string' ? environmentId : undefined);
      if (!access) throw new NotFoundError('Space', spaceId);
      // Answered in the same round trip; the EnvironmentGuard, which runs next, decides what it means for the route.
      request.environmentExists = access.environmentExists;
      const role = access.role;
      const writes = !READ_METHODS.has(request.method);
      if (writes && (role !== SpaceRole.manager || !principal.tokenCanManage)) {
        throw new AccessDeniedError('Your role or token only allows reading in this space.');
      }
    } else if (!READ_METHODS.has(request.method) && !principal.tokenCanManage) {
      throw new AccessDeniedError('This token only allows reading.');
    }
    return true;
  }
}
