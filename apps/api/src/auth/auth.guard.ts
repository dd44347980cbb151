import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { AccessDeniedError, HangarError, NotFoundError } from '@hangar/domain';
import { SpaceRole } from '@hangar/database';
import type { HangarRequest } from '../common/http-request';
import { AccessTokenService } from './access-token.service';
import { AuthFailureLimitService } from './auth-failure-limit.service';
import { ADMIN_ONLY, PUBLIC_ROUTE } from './auth.decorators';
import { clientAddressOf } from './client-address';
import { RateLimitService } from './rate-limit.service';
import { SpaceAccessService } from './space-access.service';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer\s+(\S+)\s*$/i;

const invalidToken = () => new HangarError('AccessTokenInvalid', 'The access token you sent could not be found or is invalid.');

/**
 * Every route needs a valid token unless marked `@Public()`. A client address
 * that sent too many unknown tokens gets 429 before its token is looked up;
 * past authentication, each user's requests are rate limited. Routes under
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
    private readonly authFailures: AuthFailureLimitService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;

    const request = context.switchToHttp().getRequest<HangarRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const token = BEARER.exec(request.header('authorization') ?? '')?.[1];
    if (!token) throw invalidToken();
    const client = clientAddressOf(request);
    await this.authFailures.refuseExhausted(client);
    const principal = await this.tokens.authenticate(token);
    if (!principal) {
      await this.authFailures.recordFailure(client);
      throw invalidToken();
    }
    request.principal = principal;
    const { spaceId, environmentId } = request.params;
    // Looked up while the rate limit counts (one round trip less per request); its answer is read only after.
    const lookup =
      typeof spaceId === 'string'
        ? this.spaces.accessTo(principal, spaceId, typeof environmentId === 'string' ? environmentId : undefined)
        : undefined;
    lookup?.catch(() => undefined);
    await this.rateLimits.consume(principal.userId, response);

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && !principal.isAdmin) {
      throw new AccessDeniedError('Only an administrator may do this.');
    }
    if (typeof spaceId === 'string') {
      const access = await lookup;
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
