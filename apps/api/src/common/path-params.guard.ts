import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { HangarError } from '@hangar/domain';

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * No resource has control characters in its path (and PostgreSQL refuses NUL
 * in text): such a path is refused with a 400 before any lookup — or any
 * token check, for named and wildcard parameters alike.
 */
@Injectable()
export class PathParamsGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const params = context.switchToHttp().getRequest<Request>().params as Record<string, unknown>;
    // A wildcard parameter (`{*path}`) arrives as the array of its segments.
    const segments = Object.values(params).flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]));
    for (const segment of segments) {
      if (typeof segment === 'string' && CONTROL_CHARACTERS.test(segment))
        // The same reason libs/files gives for a file path it refuses (it checks C1 controls too, after this guard).
        throw new HangarError('BadRequest', 'Path segments may not contain control characters.', { reason: 'control-character' });
    }
    return true;
  }
}
