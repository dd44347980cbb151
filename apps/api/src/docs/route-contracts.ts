import { createHash } from 'node:crypto';
import { RequestMethod, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { ModulesContainer } from '@nestjs/core';
import { ApiBasicAuth, ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiResponse, ApiTags, DECORATORS } from '@nestjs/swagger';
import { z } from 'zod';
import {
  ADMIN_ONLY,
  BASIC_CREDENTIALS,
  DIALECT_SPACE,
  type DialectSpaceOptions,
  MANAGERS_ONLY,
  NOT_FOR_BOUND_TOKENS,
  PUBLIC_ROUTE,
} from '../auth/auth.decorators';
import { JSON_BODY_SCHEMA } from '../common/json-body.decorator';
import { READS_OWN_BODY } from '../common/json-body.interceptor';
import { MANAGEMENT_CONTENT_TYPE } from '../common/request-id.middleware';
import { EXPECTS_VERSION, VERSION_HEADER } from '../common/version-header.decorator';
import { ApiErrors } from './openapi.decorators';

/** Set on a handler (and its class) once described: the classes are shared by every app a process makes (Jest makes many). */
const DESCRIBED = 'hangar:openapi-described';
const READ_METHODS = new Set<RequestMethod>([RequestMethod.GET, RequestMethod.HEAD, RequestMethod.OPTIONS]);

/** The route's paths: its controller's joined with its own (each may be one or several). */
function pathsOf(controllerPath: unknown, handlerPath: unknown): string[] {
  const list = (value: unknown) => (Array.isArray(value) ? (value as string[]) : [typeof value === 'string' ? value : '']);
  return list(controllerPath).flatMap((base) =>
    list(handlerPath).map((own) => [base, own].filter((part) => part && part !== '/').join('/')),
  );
}

/**
 * Schemas that request bodies refer to (a recursive part, such as a webhook filter's `not`), by name, for
 * components.schemas. Kept here since handlers are described once per process and documents are built per app.
 */
export const REFERENCED_SCHEMAS = new Map<string, unknown>();

/**
 * A zod schema as an OpenAPI 3.0 schema of what a client sends (the input side of transforms). The definitions zod
 * makes for recursive parts go to components.schemas, under names made from their content (stable, and the same
 * schema used by two routes is one component).
 */
export function requestSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  const { $schema: _ignored, definitions, ...json } = generated;
  if (definitions === undefined) return json;
  const prefix = `Input${createHash('sha256').update(JSON.stringify(generated)).digest('hex').slice(0, 8)}`;
  const rewrite = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/definitions/', `"#/components/schemas/${prefix}`)) as Record<string, unknown>;
  for (const [name, definition] of Object.entries(definitions as Record<string, unknown>)) {
    REFERENCED_SCHEMAS.set(`${prefix}${name}`, rewrite(definition));
  }
  return rewrite(json);
}

/**
 * Describes every route for the OpenAPI document from what the route already
 * declares to Nest and to Hangar's guards, so the document cannot drift from
 * the behaviour: the refusals its guards can give (a path or query guard:
 * 400; a token: 401, 429 and 503; a role, a write or an administrators' route:
 * 403; a path parameter: 404), its JSON body's zod schema (and 413/415/422),
 * `X-Contentful-Version` (409), its token schemes, its success status and a
 * tag named after its controller (once per class). Statuses a handler decides itself are
 * declared on it (`@ApiErrors`, `@ApiResponse`). Applied once per handler,
 * before the document is scanned.
 */
export function describeRoutes(modules: ModulesContainer): void {
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (controller) describeController(controller);
    }
  }
}

export function describeController(controller: Type): void {
  if (Reflect.getOwnMetadata(DESCRIBED, controller) !== true) {
    ApiTags(controller.name.replace(/Controller$/, ''))(controller);
    Reflect.defineMetadata(DESCRIBED, true, controller);
  }
  const prototype = controller.prototype as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(prototype)) {
    const handler = prototype[key];
    if (key === 'constructor' || typeof handler !== 'function') continue;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined || Reflect.getOwnMetadata(DESCRIBED, handler) === true) continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if (!descriptor) continue;
    for (const decorate of decoratorsFor(controller, handler, method)) decorate(prototype, key, descriptor);
    Reflect.defineMetadata(DESCRIBED, true, handler);
  }
}

function decoratorsFor(controller: Type, handler: object, method: RequestMethod): MethodDecorator[] {
  const flag = <T>(key: string): T | undefined =>
    (Reflect.getMetadata(key, handler) as T | undefined) ?? (Reflect.getMetadata(key, controller) as T | undefined);
  const paths = pathsOf(Reflect.getMetadata(PATH_METADATA, controller), Reflect.getMetadata(PATH_METADATA, handler));
  const isPublic = flag<boolean>(PUBLIC_ROUTE) === true;
  const dialect = flag<DialectSpaceOptions>(DIALECT_SPACE);
  const writes = !READ_METHODS.has(method);
  const bodySchema = Reflect.getMetadata(JSON_BODY_SCHEMA, handler) as z.ZodType | undefined;
  const decorators: MethodDecorator[] = [];

  // Path and query guards refuse control characters on every route.
  const errors = new Set<number>([400]);
  if (!isPublic) {
    for (const status of [401, 429, 503]) errors.add(status);
    const restricted = flag(ADMIN_ONLY) === true || flag(MANAGERS_ONLY) === true || flag(NOT_FOR_BOUND_TOKENS) === true;
    if (writes || restricted || dialect !== undefined) errors.add(403);
    decorators.push(ApiBearerAuth('bearer'));
    if (dialect?.basicCredentials === true || flag(BASIC_CREDENTIALS) === true) decorators.push(ApiBasicAuth('basic'));
  }
  if (paths.some((path) => /[:*]/.test(path)) || dialect !== undefined) errors.add(404);
  if (bodySchema) {
    for (const status of [413, 415, 422]) errors.add(status);
    decorators.push(ApiConsumes(MANAGEMENT_CONTENT_TYPE, 'application/json'), ApiBody({ schema: requestSchemaOf(bodySchema) }));
  }
  if (Reflect.getMetadata(READS_OWN_BODY, handler) === true) for (const status of [408, 413, 415]) errors.add(status);
  if (Reflect.getMetadata(EXPECTS_VERSION, handler) === true) {
    errors.add(409);
    decorators.push(
      ApiHeader({
        name: VERSION_HEADER,
        required: false,
        description: 'The version the client believes current (`sys.version`); another is a 409 VersionMismatch.',
        schema: { type: 'integer', minimum: 0 },
      }),
    );
  }
  decorators.push(ApiErrors([...errors].sort((a, b) => a - b)));
  decorators.push(successOf(handler, method));
  return decorators;
}

/** The handler's own success answer when it declares none: Nest's status for it (`@HttpCode`, else 201 for POST, else 200). */
function successOf(handler: object, method: RequestMethod): MethodDecorator {
  return (target, key, descriptor) => {
    const declared = Object.keys((Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) as Record<string, unknown> | undefined) ?? {});
    if (declared.some((status) => /^[23]/.test(status))) return;
    const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === RequestMethod.POST ? 201 : 200);
    ApiResponse({ status, description: status === 204 ? 'Done; no body.' : 'Success.' })(target, key, descriptor);
  };
}
