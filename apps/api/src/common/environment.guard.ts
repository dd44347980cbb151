import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { NotFoundError } from '@hangar/domain';
import type { HangarRequest } from './http-request';
import { EnvironmentsService } from '../environments/environments.service';
import { ANY_ENVIRONMENT_WHEN_EQUAL_TO, CREATES_ENVIRONMENT } from './environment-route.decorators';

/**
 * Every route under `/spaces/:spaceId/environments/:environmentId` answers
 * Contentful's `404 NotFound` (`details.type: 'Environment'`) when that
 * environment does not exist in the space, before its handler reads a body
 * or writes anything. Checking here, once, keeps each service from having to
 * remember it (and a route added later from forgetting it). Routes marked
 * `@CreatesEnvironment()` are exempt; see `@AnyEnvironmentWhenEqualTo()` for
 * the legacy upload form.
 */
@Injectable()
export class EnvironmentGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly environments: EnvironmentsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const params = context.switchToHttp().getRequest<Request>().params as Record<string, unknown>;
    const { spaceId, environmentId } = params;
    if (typeof spaceId !== 'string' || typeof environmentId !== 'string') return true;

    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(CREATES_ENVIRONMENT, targets)) return true;
    const anyEnvironmentParameter = this.reflector.getAllAndOverride<string | undefined>(ANY_ENVIRONMENT_WHEN_EQUAL_TO, targets);
    if (anyEnvironmentParameter !== undefined && environmentId === params[anyEnvironmentParameter]) return true;

    const { environmentExists } = context.switchToHttp().getRequest<HangarRequest>();
    if (environmentExists === false) throw new NotFoundError('Environment', environmentId);
    if (environmentExists === undefined) await this.environments.get(spaceId, environmentId);
    return true;
  }
}
