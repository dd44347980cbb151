import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Controller, Get, Injectable, Param, Res } from '@nestjs/common';
import { ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import type { Response } from 'express';
import { HangarError, NotFoundError } from '@hangar/domain';
import { Public } from '../auth/auth.decorators';

/**
 * The document /docs-json serves, built on its first request (bootstrap.ts names how): scanning needs the whole
 * application, and the document and the scan's working memory are several MiB an api process that nobody asks
 * for its reference never needs (issue 16, idle memory). Built once; a build that fails is tried again next time.
 */
@Injectable()
export class ApiDocument {
  private document: OpenAPIObject | undefined;
  private build: (() => OpenAPIObject) | undefined;

  /** How to build the document once the application is complete. */
  buildWhenAsked(build: () => OpenAPIObject): void {
    this.build = build;
    this.document = undefined;
  }

  get current(): OpenAPIObject {
    this.document ??= this.build?.();
    if (!this.document) throw new HangarError('ServiceUnavailable', 'The API document is not built yet.');
    return this.document;
  }
}

/** swagger-ui-dist, as @nestjs/swagger depends on it (the version it was made for). */
const SWAGGER_UI_DIR = dirname(createRequire(require.resolve('@nestjs/swagger')).resolve('swagger-ui-dist/package.json'));

/** The files of the UI that /docs loads, by name; nothing else of the package is served. */
const UI_FILES: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** Scripts are files, not inline, so the page works under a Content-Security-Policy without 'unsafe-inline'. */
const UI_INIT = `window.ui = SwaggerUIBundle({
  url: '/docs-json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

const UI_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hangar API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/swagger-ui-init.js"></script>
</body>
</html>
`;

/**
 * The API reference: `/docs-json` (OpenAPI 3.0, generated from the routes:
 * docs/api-document.ts) and `/docs`, Swagger UI reading it. Public: the
 * contract is no secret, and browsing it needs no token (trying a route in
 * the UI does: its Authorize button).
 */
@Controller()
@Public()
export class ApiDocsController {
  constructor(private readonly document: ApiDocument) {}

  @Get('docs')
  @ApiResponse({ status: 200, description: 'Swagger UI for this document.', content: { 'text/html': { schema: { type: 'string' } } } })
  page(@Res() response: Response): void {
    response.status(200).type('text/html; charset=utf-8').send(UI_PAGE);
  }

  @Get('docs-json')
  @ApiResponse({ status: 200, description: 'This OpenAPI 3.0 document.', content: { 'application/json': { schema: { type: 'object' } } } })
  json(@Res() response: Response): void {
    response.status(200).type('application/json; charset=utf-8').send(JSON.stringify(this.document.current));
  }

  @Get('docs/:asset')
  @ApiResponse({ status: 200, description: 'A file of Swagger UI (its script, style sheet or icon).' })
  asset(@Param('asset') asset: string, @Res() response: Response): void {
    if (asset === 'swagger-ui-init.js') {
      response.status(200).type('application/javascript; charset=utf-8').send(UI_INIT);
      return;
    }
    const type = Object.hasOwn(UI_FILES, asset) ? UI_FILES[asset] : undefined;
    if (type === undefined) throw new NotFoundError('DocsAsset', asset);
    response.setHeader('Cache-Control', 'public, max-age=3600');
    response.status(200).type(type).sendFile(join(SWAGGER_UI_DIR, asset));
  }
}
