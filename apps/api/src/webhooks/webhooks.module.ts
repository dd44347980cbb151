import { Module } from '@nestjs/common';
import { WebhookCallsController } from './webhook-calls.controller';
import { WebhookDefinitionsController } from './webhook-definitions.controller';
import { WebhookSettingsController } from './webhook-settings.controller';

/** Contentful's webhook routes; their state and rules are libs/events' (a global module). */
@Module({ controllers: [WebhookDefinitionsController, WebhookSettingsController, WebhookCallsController] })
export class WebhooksModule {}
