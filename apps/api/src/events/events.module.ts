import { Module } from '@nestjs/common';
import { EventStreamsService } from './event-streams.service';
import { EventsController } from './events.controller';

@Module({ controllers: [EventsController], providers: [EventStreamsService], exports: [EventStreamsService] })
export class EventStreamsModule {}
