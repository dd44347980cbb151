import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AssetBody, assetBody, assetEntity, AssetsService } from '@hangar/assets';
import { environmentTarget, HangarError, RESOURCE_ID_PATTERN } from '@hangar/domain';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { collection } from '../common/collection';
import { JsonBody } from '../common/json-body.decorator';
import { ExpectedVersion } from '../common/version-header.decorator';
import { parseAssetQuery } from './asset-query';

const BASES = ['spaces/:spaceId/environments/:environmentId/assets', 'spaces/:spaceId/assets'];
const item = (suffix = '') => BASES.map((base) => `${base}/:assetId${suffix}`);

/** Contentful's Asset API (CMA), under an environment or, for master, directly under the space. */
@Controller()
export class AssetsController {
  constructor(private readonly assets: AssetsService) {}

  @Get(BASES)
  async list(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Query() query: Record<string, unknown>,
  ) {
    const parsed = parseAssetQuery(query);
    const { items, total } = await this.assets.list(environmentTarget(spaceId, environmentId), parsed);
    return collection(items.map(assetEntity), total, parsed.page);
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
  async get(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
  ) {
    return assetEntity(await this.assets.get(environmentTarget(spaceId, environmentId), assetId));
  }

  @Put(item())
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
