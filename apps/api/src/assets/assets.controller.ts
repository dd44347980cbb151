import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { z } from 'zod';
import { HangarError, RESOURCE_ID_PATTERN } from '@hangar/domain';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { collection } from '../common/collection';
import { environmentTarget } from '../common/environment-target';
import { JsonBody } from '../common/json-body.decorator';
import { ExpectedVersion } from '../common/version-header.decorator';
import { assetBody } from './asset-fields';
import { parseAssetQuery } from './asset-query';
import { assetResource } from './asset.resource';
import { AssetsService } from './assets.service';

const BASES = ['spaces/:spaceId/environments/:environmentId/assets', 'spaces/:spaceId/assets'];
const item = (suffix = '') => BASES.map((base) => `${base}/:assetId${suffix}`);

type AssetBody = z.output<typeof assetBody>;

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
    return collection(items.map(assetResource), total, parsed.page);
  }

  @Post(BASES)
  @HttpCode(201)
  async create(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @JsonBody(assetBody) body: AssetBody,
  ) {
    return assetResource(await this.assets.create(environmentTarget(spaceId, environmentId), principal, body.fields));
  }

  @Get(item())
  async get(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
  ) {
    return assetResource(await this.assets.get(environmentTarget(spaceId, environmentId), assetId));
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
    const { asset, created } = await this.assets.put(environmentTarget(spaceId, environmentId), principal, assetId, body.fields, version);
    response.status(created ? 201 : 200);
    return assetResource(asset);
  }

  @Delete(item())
  @HttpCode(204)
  async delete(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @ExpectedVersion() version: number | undefined,
  ) {
    await this.assets.delete(environmentTarget(spaceId, environmentId), assetId, version);
  }

  @Put(item('/files/:locale/process'))
  @HttpCode(204)
  async process(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @Param('locale') locale: string,
    @ExpectedVersion() version: number | undefined,
  ) {
    await this.assets.process(environmentTarget(spaceId, environmentId), assetId, locale, version);
  }

  @Put(item('/published'))
  async publish(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @CurrentPrincipal() principal: Principal,
    @ExpectedVersion() version: number | undefined,
  ) {
    return assetResource(await this.assets.publish(environmentTarget(spaceId, environmentId), principal, assetId, version));
  }

  @Delete(item('/published'))
  async unpublish(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @ExpectedVersion() version: number | undefined,
  ) {
    return assetResource(await this.assets.unpublish(environmentTarget(spaceId, environmentId), assetId, version));
  }

  @Put(item('/archived'))
  async archive(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @CurrentPrincipal() principal: Principal,
    @ExpectedVersion() version: number | undefined,
  ) {
    return assetResource(await this.assets.archive(environmentTarget(spaceId, environmentId), principal, assetId, version));
  }

  @Delete(item('/archived'))
  async unarchive(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string | undefined,
    @Param('assetId') assetId: string,
    @ExpectedVersion() version: number | undefined,
  ) {
    return assetResource(await this.assets.unarchive(environmentTarget(spaceId, environmentId), assetId, version));
  }
}
