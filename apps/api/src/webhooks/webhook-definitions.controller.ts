import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HangarError, RESOURCE_ID_PATTERN } from '@hangar/domain';
import { type WebhookDefinitionInput, webhookDefinitionInput, WebhookDefinitionsService } from '@hangar/events';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { collection, parsePage } from '../common/collection';
import { JsonBody } from '../common/json-body.decorator';
import { ExpectedVersion } from '../common/version-header.decorator';
import { webhookDefinitionResource } from './webhook.resources';

/** Contentful's webhook definitions: managers write them, every member of the space reads them. */
@Controller('spaces/:spaceId/webhook_definitions')
export class WebhookDefinitionsController {
  constructor(private readonly definitions: WebhookDefinitionsService) {}

  @Get()
  async list(@Param('spaceId') spaceId: string, @Query() query: Record<string, unknown>) {
    const page = parsePage(query);
    const { items, total } = await this.definitions.list(spaceId, page);
    return collection(items.map(webhookDefinitionResource), total, page);
  }

  @Post()
  @HttpCode(201)
  async create(
    @Param('spaceId') spaceId: string,
    @CurrentPrincipal() principal: Principal,
    @JsonBody(webhookDefinitionInput) body: WebhookDefinitionInput,
  ) {
    return webhookDefinitionResource(await this.definitions.create(spaceId, principal.userId, body));
  }

  @Get(':webhookId')
  async get(@Param('spaceId') spaceId: string, @Param('webhookId') webhookId: string) {
    return webhookDefinitionResource(await this.definitions.get(spaceId, webhookId));
  }

  @Put(':webhookId')
  async put(
    @Param('spaceId') spaceId: string,
    @Param('webhookId') webhookId: string,
    @CurrentPrincipal() principal: Principal,
    @ExpectedVersion() version: number | undefined,
    @JsonBody(webhookDefinitionInput) body: WebhookDefinitionInput,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!RESOURCE_ID_PATTERN.test(webhookId)) {
      throw new HangarError('BadRequest', 'Webhook ids may use letters, digits, "-", "_" and "." (1–64).', { id: webhookId });
    }
    const { definition, created } = await this.definitions.put(spaceId, principal.userId, webhookId, body, version);
    response.status(created ? 201 : 200);
    return webhookDefinitionResource(definition);
  }

  @Delete(':webhookId')
  @HttpCode(204)
  async delete(@Param('spaceId') spaceId: string, @Param('webhookId') webhookId: string, @ExpectedVersion() version: number | undefined) {
    await this.definitions.delete(spaceId, webhookId, version);
  }
}
