import { Global, Module } from '@nestjs/common';
import { DomainEventReader } from './domain-event-reader';
import { DomainEventsService } from './domain-events.service';
import { WebhookCallsService } from './webhook-calls.service';
import { WebhookDefinitionsService } from './webhook-definitions.service';
import { WebhookSigningSecretsService } from './webhook-signing-secrets.service';

const PROVIDERS = [DomainEventsService, DomainEventReader, WebhookDefinitionsService, WebhookSigningSecretsService, WebhookCallsService];

@Global()
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class EventsModule {}
