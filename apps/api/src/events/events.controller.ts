import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { HangarError } from '@hangar/domain';
import { TokenInQuery } from '../auth/auth.decorators';
import type { HangarRequest } from '../common/http-request';
import { EventStreamsService } from './event-streams.service';
import { ApiQueryParameters } from '../docs/openapi.decorators';

/** An event id as `Last-Event-ID` carries it: a positive PostgreSQL bigint. */
const EVENT_ID = /^[1-9]\d{0,18}$/;
const MAX_EVENT_ID = 2n ** 63n - 1n;

/**
 * Where to resume: `Last-Event-ID` (what a reconnecting EventSource sends), else `?lastEventId=` (for polyfills and
 * first connections that cannot set headers; the header wins, as a browser reconnecting keeps the first URL).
 */
function lastEventIdOf(request: HangarRequest): bigint | undefined {
  const header = request.header('last-event-id');
  const query: unknown = request.query.lastEventId;
  const given = header !== undefined && header !== '' ? header : query;
  if (given === undefined || given === '') return undefined;
  if (typeof given === 'string' && EVENT_ID.test(given.trim()) && BigInt(given.trim()) <= MAX_EVENT_ID) return BigInt(given.trim());
  throw new HangarError('BadRequest', 'Last-Event-ID (or lastEventId) must be the id of an event this stream sent.', {
    header: 'Last-Event-ID',
  });
}

/** Pushed status: the environment's domain events as Server-Sent Events (see EventStreamsService). */
@Controller('spaces/:spaceId/environments/:environmentId/events')
export class EventsController {
  constructor(private readonly streams: EventStreamsService) {}

  @Get()
  @ApiResponse({
    status: 200,
    description: 'A stream of Server-Sent Events: each a domain event of the environment, its id the position.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event (a reconnecting EventSource sends it).' })
  @ApiQueryParameters({ lastEventId: 'Resume after this event.', access_token: 'The token, for EventSource (which cannot send headers).' })
  @TokenInQuery()
  async stream(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string,
    @Req() request: HangarRequest,
    @Res() response: Response,
  ): Promise<void> {
    await this.streams.open(spaceId, environmentId, lastEventIdOf(request), response, request.method === 'HEAD');
  }
}
