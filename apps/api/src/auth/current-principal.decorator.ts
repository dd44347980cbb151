import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HangarRequest } from '../common/http-request';
import type { Principal } from './principal';

/** The verified caller of a route guarded by {@link AuthGuard}. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<HangarRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});

/** The space the AuthGuard resolved for a route marked `@DialectSpace()`. */
export const DialectSpaceId = createParamDecorator((_: unknown, context: ExecutionContext): string => {
  const spaceId = context.switchToHttp().getRequest<HangarRequest>().dialectSpaceId;
  if (spaceId === undefined) throw new Error('DialectSpaceId used on a route without @DialectSpace()');
  return spaceId;
});
