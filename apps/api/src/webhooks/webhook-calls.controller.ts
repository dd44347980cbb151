import { Controller, Get, Param, Query } from '@nestjs/common';
import { WebhookCallsService } from '@hangar/events';
import { collection, parsePage } from '../common/collection';
import { webhookCallDetailsResource, webhookCallOverviewResource, webhookHealthResource } from './webhook.resources';

/** Contentful's webhook call log, read-only (the delivery worker writes it): every member of the space reads it. */
@Controller('spaces/:spaceId/webhooks/:webhookId')
export class WebhookCallsController {
  constructor(private readonly calls: WebhookCallsService) {}

  @Get('calls')
  async list(@Param('spaceId') spaceId: string, @Param('webhookId') webhookId: string, @Query() query: Record<string, unknown>) {
    const page = parsePage(query);
    const { items, total } = await this.calls.list(spaceId, webhookId, page);
    return collection(items.map(webhookCallOverviewResource), total, page);
  }

  @Get('calls/:callId')
  async get(@Param('spaceId') spaceId: string, @Param('webhookId') webhookId: string, @Param('callId') callId: string) {
    return webhookCallDetailsResource(await this.calls.get(spaceId, webhookId, callId));
  }

  @Get('health')
  async health(@Param('spaceId') spaceId: string, @Param('webhookId') webhookId: string) {
    return webhookHealthResource(spaceId, webhookId, await this.calls.health(spaceId, webhookId));
  }
}
