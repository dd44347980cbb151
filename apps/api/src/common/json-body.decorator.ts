import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { HangarError, type ValidationErrorDetail, ValidationFailedError } from '@hangar/domain';
import { JSON_MEDIA_TYPES } from './json-body.interceptor';
import { MANAGEMENT_CONTENT_TYPE } from './request-id.middleware';

const NAME_OF_ISSUE: Record<string, string> = {
  too_big: 'size',
  too_small: 'size',
  invalid_format: 'regexp',
  invalid_value: 'in',
  unrecognized_keys: 'unknown',
};

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Zod issues as Contentful's `details.errors[]`. */
export function validationDetails(issues: readonly z.core.$ZodIssue[], input: unknown): ValidationErrorDetail[] {
  return issues.map((issue) => {
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
    // A rule of a schema's own (a refinement) may name itself, as Contentful names its validations.
    const named = issue.code === 'custom' && typeof issue.params?.name === 'string' ? issue.params.name : undefined;
    return {
      name: missing ? 'required' : (named ?? NAME_OF_ISSUE[issue.code] ?? (issue.code === 'invalid_type' ? 'type' : 'invalid')),
      path: issue.path.map((key) => (typeof key === 'symbol' ? key.toString() : key)),
      details: issue.message,
    };
  });
}

/** Checks the media type of a JSON body and validates it; 415 or 422 otherwise. */
export function parseJsonBody<T extends z.ZodType>(request: Request, schema: T): z.output<T> {
  const hasBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (hasBody && !request.is(JSON_MEDIA_TYPES)) {
    throw new HangarError('UnsupportedMediaType', `Send the body as ${MANAGEMENT_CONTENT_TYPE} or application/json.`, {
      accepted: [MANAGEMENT_CONTENT_TYPE, 'application/json'],
    });
  }
  const body: unknown = hasBody ? request.body : undefined;
  const result = schema.safeParse(body);
  if (!result.success) {
    if (body === undefined) throw new HangarError('BadRequest', 'This request needs a JSON body.');
    throw new ValidationFailedError(validationDetails(result.error.issues, body));
  }
  return result.data;
}

const ValidatedJsonBody = createParamDecorator((options: { bodySchema: z.ZodType }, context: ExecutionContext) =>
  parseJsonBody(context.switchToHttp().getRequest<Request>(), options.bodySchema),
);

/**
 * The request's JSON body, validated against a zod schema. (The schema is
 * wrapped, under a key Nest does not claim, because Nest takes a decorator
 * argument with a `transform` method — every zod schema has one — for a pipe,
 * and `{ schema }` for its own Standard Schema validation, which would answer
 * 400 instead of Contentful's 422 with `details.errors`.)
 */
export const JsonBody =
  (schema: z.ZodType): ParameterDecorator =>
  (target, key, index) => {
    ValidatedJsonBody({ bodySchema: schema })(target, key, index);
    // The same schema describes the body in the OpenAPI document (docs/route-contracts.ts).
    if (key !== undefined) Reflect.defineMetadata(JSON_BODY_SCHEMA, schema, (target as Record<string | symbol, object>)[key] as object);
  };

/** Metadata on a handler: the zod schema its `@JsonBody()` validates. */
export const JSON_BODY_SCHEMA = 'hangar:json-body-schema';
