import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '@hangar/config';
import { ERROR_SCHEMA } from './openapi.decorators';
import { describeRoutes, REFERENCED_SCHEMAS } from './route-contracts';

type Operation = { operationId?: string; parameters?: Parameter[] };
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: unknown };

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** What each path parameter of Hangar's routes is. */
const PATH_PARAMETERS: Readonly<Record<string, string>> = {
  spaceId: 'A space id.',
  environmentId: 'An environment id (`master` when the path has none).',
  assetId: 'An asset id: letters, digits, "-", "_" and "." (1–64).',
  uploadId: 'An upload id.',
  localeId: 'A locale id.',
  locale: 'A locale code (`en-US`).',
  path: 'A file or folder path; it may hold "/" (every segment as it is).',
};

/** Contentful's error body, the one shape of every refusal. */
const ERROR_BODY = {
  type: 'object',
  required: ['sys', 'message', 'requestId'],
  properties: {
    sys: {
      type: 'object',
      required: ['type', 'id'],
      properties: { type: { type: 'string', enum: ['Error'] }, id: { type: 'string', example: 'NotFound' } },
    },
    message: { type: 'string' },
    details: {
      type: 'object',
      additionalProperties: true,
      description: 'What was wrong: `errors[]` for ValidationFailed, the offending header…',
    },
    requestId: { type: 'string', description: 'Also in the X-Contentful-Request-Id header.' },
  },
};

/**
 * The OpenAPI 3.0 document of the api, scanned from its controllers once the
 * routes have described themselves (route-contracts.ts). Path parameters are
 * then completed from each path's own template (a handler that reads a
 * parameter in bulk, or not at all, still has it in its path), and the
 * operation ids of a handler mounted at several paths made unique.
 */
export function buildApiDocument(app: INestApplication, config: AppConfig): OpenAPIObject {
  describeRoutes(app.get(ModulesContainer));
  const base = new DocumentBuilder()
    .setTitle('Hangar')
    .setDescription(
      'A self-hosted, Contentful-compatible upload and asset service: the Upload and Asset APIs (CMA), tus resumable uploads, ' +
        'the Images API on file URLs, path-addressed files and the seed dialects. Every refusal has the Contentful error body.',
    )
    .setVersion('1')
    .addServer(config.publicBaseUrl.origin)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A personal access token (CFPAT-…) or HANGAR_ADMIN_TOKEN.' }, 'bearer')
    .addBasicAuth({ type: 'http', scheme: 'basic', description: 'Any user name, the token as the password (Capillary).' }, 'basic')
    .build();
  base.components = { ...base.components, schemas: { [ERROR_SCHEMA]: ERROR_BODY, ...Object.fromEntries(REFERENCED_SCHEMAS) } };
  const document = SwaggerModule.createDocument(app, base, {
    operationIdFactory: (controller: string, method: string) => `${controller.replace(/Controller$/, '')}_${method}`,
  });
  completePathParameters(document);
  uniqueOperationIds(document);
  return document;
}

function operationsOf(document: OpenAPIObject): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const operation = (item as Record<string, Operation | undefined>)[method];
      return operation ? [[path, operation] as [string, Operation]] : [];
    }),
  );
}

function completePathParameters(document: OpenAPIObject): void {
  for (const [path, operation] of operationsOf(document)) {
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? '');
    const others = (operation.parameters ?? []).filter((parameter) => parameter.in !== 'path');
    const declared = new Map((operation.parameters ?? []).filter((parameter) => parameter.in === 'path').map((p) => [p.name, p]));
    const inPath = names.map((name): Parameter => ({
      ...declared.get(name),
      name,
      in: 'path',
      required: true,
      description: PATH_PARAMETERS[name] ?? `The ${name}.`,
      schema: { type: 'string' },
    }));
    operation.parameters = [...inPath, ...others];
  }
}

function uniqueOperationIds(document: OpenAPIObject): void {
  const seen = new Map<string, number>();
  for (const [, operation] of operationsOf(document)) {
    // Nest's scanner numbers the paths of a handler mounted at several (`Assets_get[1]`); ids read better as names.
    const id = operation.operationId?.replace(/\[(\d+)\]$/, '');
    if (id === undefined) continue;
    operation.operationId = id;
    const count = (seen.get(id) ?? 0) + 1;
    seen.set(id, count);
    if (count > 1) operation.operationId = `${id}_${count}`;
  }
}
