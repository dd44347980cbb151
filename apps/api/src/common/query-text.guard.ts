import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { unstorableQueryError } from './unstorable-text';

/**
 * Query parameters whose name or value holds text PostgreSQL cannot store (a
 * `%00`) are refused with a 400 naming the parameter, before any token or
 * database lookup — once here, so no filter added later can send one to a query.
 */
@Injectable()
export class QueryTextGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const error = unstorableQueryError(context.switchToHttp().getRequest<Request>().query);
    if (error) throw error;
    return true;
  }
}
