import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { HangarError } from '@hangar/domain';

export const VERSION_HEADER = 'X-Contentful-Version';

/**
 * Parses `X-Contentful-Version`; undefined when absent, 400 when not a whole number. A whole number of any size is a
 * version the client believes current: one the resource does not have is a 409 VersionMismatch (callers compare it
 * with the stored version), not a malformed request.
 */
export function parseVersionHeader(request: Request): number | undefined {
  const raw = request.header(VERSION_HEADER);
  if (raw === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(raw)) {
    throw new HangarError('BadRequest', `${VERSION_HEADER} must be a whole number.`, { header: VERSION_HEADER });
  }
  return Number(raw);
}

const ExpectedVersionParam = createParamDecorator((_: unknown, context: ExecutionContext) =>
  parseVersionHeader(context.switchToHttp().getRequest<Request>()),
);

/** Metadata on a handler that reads `X-Contentful-Version` (it may answer 409 VersionMismatch). */
export const EXPECTS_VERSION = 'hangar:expects-version';

/** The version the client expects the resource to have (`X-Contentful-Version`). */
export const ExpectedVersion = (): ParameterDecorator => (target, key, index) => {
  ExpectedVersionParam()(target, key, index);
  if (key !== undefined) Reflect.defineMetadata(EXPECTS_VERSION, true, (target as Record<string | symbol, object>)[key] as object);
};
