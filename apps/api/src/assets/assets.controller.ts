import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  type AssetBody,
  assetBody,
  type AssetCollection,
  assetEntity,
  type AssetPage,
  type AssetPageRequest,
  AssetsService,
  type AssetView,
  publishedAssetEntity,
  type RenderedAssetPage,
  viewOf,
} from '@hangar/assets';
import { environmentTarget, HangarError, RESOURCE_ID_PATTERN } from '@hangar/domain';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { collection } from '../common/collection';
import { JsonBody } from '../common/json-body.decorator';
import { ExpectedVersion } from '../common/version-header.decorator';
import { parseAssetQuery, parseReadOptions } from './asset-query';
import { ApiResponse } from '@nestjs/swagger';
import { ApiQueryParameters, ASSET_COLLECTION_QUERY } from '../docs/openapi.decorators';

const BASES = ['spaces/:spaceId/environments/:environmentId/assets', 'spaces/:spaceId/assets'];
const PUBLISHED = ['spaces/:spaceId/environments/:environmentId/public/assets', 'spaces/:spaceId/public/assets'];
const item = (suffix = '') => BASES.map((base) => `${base}/:assetId${suffix}`);

/**
 * The URL of the page a cursor token opens: this request's path and
 * parameters (its filters, order, limit, locale and select), with the token
 * in place of the one it was reached with. The SDK reads the token back from it.
 */
function pageUrl(request: Request, parameter: 'pageNext' | 'pagePrev', token: string): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
    if (name === 'pageNext' || name === 'pagePrev') continue;
    for (const one of Array.isArray(value) ? value : [value]) if (typeof one === 'string') search.append(name, one);
  }
  search.set(parameter, token);
  return `${request.path}?${search.toString()}`;
}

/** Contentful's Asset API (CMA), under an environment or, for master, directly under the space. */
@Controller()
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Get(BASES)
  @ApiQueryParameters(ASSET_COLLECTION_QUERY)
  async list(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    return this.collection('management', spaceId, environmentId, query, request, response);
  }

  /** The published collection: each published asset as it was published, whatever its draft has become since. */
  @Get(PUBLISHED)
  @ApiQueryParameters(ASSET_COLLECTION_QUERY)
  async listPublished(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Query() query: Record<string, unknown>,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    return this.collection('published', spaceId, environmentId, query, request, response);
  }

  private async collection(
    kind: AssetCollection,
    spaceId: string,
    environmentId: string | undefined,
    query: Record<string, unknown>,
    request: Request,
    response: Response,
  ) {
    const target = environmentTarget(spaceId, environmentId);
    const parsed = parseAssetQuery(query, kind);
    const options = parseReadOptions(query);
    if ((options.locale === undefined || options.locale === '*') && options.select === undefined) {
      // The default view shows entities as they are: PostgreSQL renders them, and the page is written around their text.
      const page = await this.assets.listRendered(target, parsed);
      response.type('application/json');
      return renderedCollection(page, parsed.page, request);
    }
    const view = await this.assets.view(target, options.locale, options.select);
    const page = await this.assets.list(target, parsed);
    const items = page.items.map((asset) => shown(kind === 'published' ? publishedAssetEntity(asset) : assetEntity(asset), view));
    if (parsed.page.kind === 'offset') return collection(items, page.total ?? 0, parsed.page);
    return cursorCollection(items, parsed.page.limit, page, request);
  }

  @Post(BASES)
  @HttpCode(201)
  async create(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @JsonBody(assetBody) body: AssetBody,
  ) {
    return assetEntity(await this.assets.create(environmentTarget(spaceId, environmentId), principal.userId, body.fields));
  }

  @Get(item())
  @ApiQueryParameters({ locale: ASSET_COLLECTION_QUERY.locale ?? '', select: ASSET_COLLECTION_QUERY.select ?? '' })
  async get(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @Query() query: Record<string, unknown>,
  ) {
    const target = environmentTarget(spaceId, environmentId);
    const options = parseReadOptions(query);
    const view = await this.assets.view(target, options.locale, options.select);
    return shown(assetEntity(await this.assets.get(target, assetId)), view);
  }

  @Put(item())
  @ApiResponse({ status: 200, description: 'The asset, replaced.' })
  @ApiResponse({ status: 201, description: 'The asset, created with this id.' })
  async put(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @CurrentPrincipal() principal: Principal,
    @JsonBody(assetBody) body: AssetBody,
    @ExpectedVersion() version: number | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!RESOURCE_ID_PATTERN.test(assetId)) {
      throw new HangarError('BadRequest', 'Asset ids may use letters, digits, "-", "_" and "." (1–64).', { id: assetId });
    }
    const { asset, created } = await this.assets.put(
      environmentTarget(spaceId, environmentId),
      principal.userId,
      assetId,
      body.fields,
      version,
    );
    response.status(created ? 201 : 200);
    return assetEntity(asset);
  }

  @Delete(item())
  @HttpCode(204)
  async delete(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @CurrentPrincipal() principal: Principal,
    @ExpectedVersion() version: number | undefined,
  ) {
    await this.assets.delete(environmentTarget(spaceId, environmentId), principal.userId, assetId, version);
  }

  @Put(item('/files/:locale/process'))
  @HttpCode(204)
  async process(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @Param('locale') locale: string,
    @CurrentPrincipal() principal: Principal,
    @ExpectedVersion() version: number | undefined,
  ) {
    await this.assets.requestProcessing(environmentTarget(spaceId, environmentId), principal.userId, assetId, locale, version);
  }

  @Put(item('/published'))
  async publish(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @CurrentPrincipal() principal: Principal,
    @ExpectedVersion() version: number | undefined,
  ) {
    return assetEntity(await this.assets.publish(environmentTarget(spaceId, environmentId), principal.userId, assetId, version));
  }

  @Delete(item('/published'))
  async unpublish(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @CurrentPrincipal() principal: Principal,
    @ExpectedVersion() version: number | undefined,
  ) {
    return assetEntity(await this.assets.unpublish(environmentTarget(spaceId, environmentId), principal.userId, assetId, version));
  }

  @Put(item('/archived'))
  async archive(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @CurrentPrincipal() principal: Principal,
    @ExpectedVersion() version: number | undefined,
  ) {
    return assetEntity(await this.assets.archive(environmentTarget(spaceId, environmentId), principal.userId, assetId, version));
  }

  @Delete(item('/archived'))
  async unarchive(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @CurrentPrincipal() principal: Principal,
    @ExpectedVersion() version: number | undefined,
  ) {
    return assetEntity(await this.assets.unarchive(environmentTarget(spaceId, environmentId), principal.userId, assetId, version));
  }
}

function shown(entity: ReturnType<typeof assetEntity> | undefined, view: AssetView) {
  // The published collection only reads published rows, each with its snapshot.
  if (!entity) throw new HangarError('ServerError', 'A published asset has no published snapshot.');
  return viewOf(entity, view);
}

/**
 * The text of a page whose items are JSON already: what `collection` or
 * `cursorCollection` would make of them, with the same members in the same order.
 */
function renderedCollection(page: RenderedAssetPage, request: AssetPageRequest, http: Request): string {
  const items = `[${page.items.join(',')}]`;
  if (request.kind === 'offset') {
    return `{"sys":{"type":"Array"},"total":${page.total ?? 0},"skip":${request.skip},"limit":${request.limit},"items":${items}}`;
  }
  const { pages } = cursorCollection([], request.limit, page, http);
  return `{"sys":{"type":"Array"},"limit":${request.limit},"items":${items},"pages":${JSON.stringify(pages)}}`;
}

/** A cursor page, as Contentful answers `cursor=true`: no total or skip, and the URLs of the pages around it. */
function cursorCollection(items: unknown[], limit: number, page: Pick<AssetPage, 'pages'>, request: Request) {
  const pages: { next?: string; prev?: string } = {};
  if (page.pages?.next) pages.next = pageUrl(request, 'pageNext', page.pages.next);
  if (page.pages?.prev) pages.prev = pageUrl(request, 'pagePrev', page.pages.prev);
  return { sys: { type: 'Array' as const }, limit, items, pages };
}
