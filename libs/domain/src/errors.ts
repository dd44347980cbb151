/**
 * Domain errors. Services throw these; the API's exception filter turns each
 * into a Contentful-shaped error body with its status.
 */
export type ErrorId =
  | 'BadRequest'
  | 'InvalidQuery'
  | 'AccessTokenInvalid'
  | 'AccessDenied'
  | 'NotFound'
  | 'RequestTimeout'
  | 'VersionMismatch'
  | 'Conflict'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'ExpectationFailed'
  | 'RequestHeaderFieldsTooLarge'
  | 'ValidationFailed'
  | 'RateLimitExceeded'
  | 'ServerError'
  | 'NotImplemented'
  | 'ServiceUnavailable';

export const STATUS_OF_ERROR: Record<ErrorId, number> = {
  BadRequest: 400,
  InvalidQuery: 400,
  AccessTokenInvalid: 401,
  AccessDenied: 403,
  NotFound: 404,
  RequestTimeout: 408,
  VersionMismatch: 409,
  Conflict: 409,
  RequestEntityTooLarge: 413,
  UnsupportedMediaType: 415,
  ExpectationFailed: 417,
  RequestHeaderFieldsTooLarge: 431,
  ValidationFailed: 422,
  RateLimitExceeded: 429,
  ServerError: 500,
  NotImplemented: 501,
  ServiceUnavailable: 503,
};

export interface ValidationErrorDetail {
  readonly name: string;
  readonly path: readonly (string | number)[];
  readonly details: string;
  readonly value?: unknown;
}

export class HangarError extends Error {
  constructor(
    readonly errorId: ErrorId,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = errorId;
  }

  get status(): number {
    return STATUS_OF_ERROR[this.errorId];
  }
}

export class NotFoundError extends HangarError {
  constructor(type: string, id?: string) {
    super('NotFound', 'The resource could not be found.', { type, ...(id === undefined ? {} : { id }) });
  }
}

export class AccessDeniedError extends HangarError {
  constructor(reason = 'This token does not allow this action.') {
    super('AccessDenied', reason, { reasons: reason });
  }
}

export class ValidationFailedError extends HangarError {
  constructor(readonly errors: readonly ValidationErrorDetail[]) {
    super('ValidationFailed', 'Validation error', { errors });
  }
}

export class VersionMismatchError extends HangarError {
  constructor(current: number) {
    super('VersionMismatch', 'The version you sent does not match the current version.', { currentVersion: current });
  }
}

export class ServiceUnavailableError extends HangarError {
  constructor(dependency: 'database' | 'storage' | 'upload spool disk') {
    super('ServiceUnavailable', `A required service (${dependency}) is unavailable; try again shortly.`, { dependency });
  }
}
