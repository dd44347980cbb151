import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { AccessDeniedError, HangarError, NotFoundError } from '@hangar/domain';
import { SpaceRole } from '@hangar/database';
import type { HangarRequest } from '../common/http-request';
import { AccessTokenService } from './access-token.service';
import { AuthFailureLimitService } from './auth-failure-limit.service';
import {
  ADMIN_ONLY,
  BASIC_CREDENTIALS,
  DIALECT_SPACE,
  type DialectSpaceOptions,
  MANAGERS_ONLY,
  NOT_FOR_BOUND_TOKENS,
  PUBLIC_ROUTE,
  TOKEN_IN_QUERY,
} from './auth.decorators';
import { clientAddressOf } from './client-address';
import { RateLimitService } from './rate-limit.service';
import type { Principal } from './principal';
import { SpaceAccessService } from './space-access.service';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer\s+(\S+)\s*$/i;
const BASIC = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i;
/** The header that names the space of a dialect route whose path has none, for a token bound to no space. */
export const SPACE_HEADER = 'x-hangar-space';
const SPACE_ID = /^[A-Za-z0-9._-]{1,64}$/;

const invalidToken = () => new HangarError('AccessTokenInvalid', 'The access token you sent could not be found or is invalid.');

/** The token of `Authorization: Bearer <token>`, or with `basic` of `Basic base64(<any user>:<token>)`. */
function tokenOf(authorization: string, basic: boolean): string | undefined {
  const bearer = BEARER.exec(authorization)?.[1];
  if (bearer !== undefined || !basic) return bearer;
  const encoded = BASIC.exec(authorization)?.[1];
  if (encoded === undefined) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon < 0 ? '' : decoded.slice(colon + 1);
  return password === '' ? undefined : password;
}

/** `?access_token=<token>` (once; a repeated one is no token), for routes marked `@TokenInQuery()`. */
function queryTokenOf(request: HangarRequest): string | undefined {
  const token: unknown = request.query.access_token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/**
 * The space of a dialect route: the token's binding (a header naming another space is that other space, which a
 * bound token cannot see), else `X-Hangar-Space`, else a 400 that says how to name one.
 */
function dialectSpaceOf(request: HangarRequest, principal: Principal): string {
  const header = request.header(SPACE_HEADER);
  if (header !== undefined && !SPACE_ID.test(header)) {
    throw new HangarError('BadRequest', 'X-Hangar-Space must be a space id.', { header: 'X-Hangar-Space' });
  }
  const spaceId = header ?? principal.boundSpaceId;
  if (spaceId === undefined) {
    throw new HangarError(
      'BadRequest',
      'This route names no space: send X-Hangar-Space: <space id>, or use a token bound to a space at its creation.',
      { header: 'X-Hangar-Space' },
    );
  }
  return spaceId;
}

/**
 * Every route needs a valid token unless marked `@Public()`. A client address
 * that sent too many unknown tokens gets 429 before its token is looked up;
 * past authentication, each user's requests are rate limited. Routes under
 * `/spaces/:spaceId` also need membership: a space the caller cannot see
 * answers 404 exactly as a missing one; a read-only role or token that tries
 * to write gets 403 (and so does one that reads a `@ManagersOnly()` route).
 * A token bound to a space sees that space only (any other is the same 404)
 * and may not call routes that act beyond it. Dialect routes with absolute
 * paths take their space from the token's binding or the `X-Hangar-Space`
 * header (see `@DialectSpace()`). A route marked `@TokenInQuery()` also takes
 * the token from `?access_token=`.
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
    const dialect = this.reflector.getAllAndOverride<DialectSpaceOptions | undefined>(DIALECT_SPACE, targets);
    const token =
      tokenOf(
        request.header('authorization') ?? '',
        dialect?.basicCredentials === true || this.reflector.getAllAndOverride<boolean>(BASIC_CREDENTIALS, targets) === true,
      ) ?? (this.reflector.getAllAndOverride<boolean>(TOKEN_IN_QUERY, targets) ? queryTokenOf(request) : undefined);
    if (!token) throw invalidToken();
    const client = clientAddressOf(request);
    await this.authFailures.refuseExhausted(client);
    const principal = await this.tokens.authenticate(token);
    if (!principal) {
      await this.authFailures.recordFailure(client);
      throw invalidToken();
    }
    request.principal = principal;
    const { environmentId } = request.params;
    let spaceId: unknown = request.params.spaceId;
    let spaceProblem: HangarError | undefined;
    if (dialect !== undefined) {
      try {
        spaceId = dialectSpaceOf(request, principal);
        request.dialectSpaceId = spaceId as string;
      } catch (error) {
        if (!(error instanceof HangarError)) throw error;
        spaceProblem = error; // answered after the rate limit has counted the request
      }
    }
    const bound = principal.boundSpaceId;
    // Looked up while the rate limit counts (one round trip less per request); its answer is read only after.
    const lookup =
      typeof spaceId === 'string' && (bound === undefined || bound === spaceId)
        ? this.spaces.accessTo(principal, spaceId, typeof environmentId === 'string' ? environmentId : undefined)
        : undefined;
    lookup?.catch(() => undefined);
    await this.rateLimits.consume(principal.userId, response);

    if (this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets) && !principal.isAdmin) {
      throw new AccessDeniedError('Only an administrator may do this.');
    }
    if (bound !== undefined && this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, targets)) {
      throw new AccessDeniedError('A token bound to a space cannot administer the server.');
    }
    if (bound !== undefined && this.reflector.getAllAndOverride<boolean>(NOT_FOR_BOUND_TOKENS, targets)) {
      throw new AccessDeniedError('A token bound to a space can act in that space only.');
    }
    if (spaceProblem !== undefined) throw spaceProblem;
    if (typeof spaceId === 'string') {
      // Another space than its own is, to a bound token, a space it cannot see: the same 404 as for a non-member.
      if (bound !== undefined && bound !== spaceId) throw new NotFoundError('Space', spaceId);
      const access = await lookup;
      if (!access) throw new NotFoundError('Space', spaceId);
      // Answered in the same round trip; the EnvironmentGuard, which runs next, decides what it means for the route.
      request.environmentExists = access.environmentExists;
      const role = access.role;
      const writes = !READ_METHODS.has(request.method);
      if (writes && (role !== SpaceRole.manager || !principal.tokenCanManage)) {
        throw new AccessDeniedError('Your role or token only allows reading in this space.');
      }
      if (this.reflector.getAllAndOverride<boolean>(MANAGERS_ONLY, targets) && (role !== SpaceRole.manager || !principal.tokenCanManage)) {
        throw new AccessDeniedError('Only a manager of this space may see this.');
      }
    } else if (!READ_METHODS.has(request.method) && !principal.tokenCanManage) {
      throw new AccessDeniedError('This token only allows reading.');
    }
    return true;
  }
}
