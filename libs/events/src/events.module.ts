import { Global, Module } from '@nestjs/common';
import { DomainEventReader } from './domain-event-reader';
import { DomainEventsService } from './domain-events.service';

@Global()
@Module({ providers: [DomainEventsService, DomainEventReader], exports: [DomainEventsService, DomainEventReader] })
export class EventsModule {}
