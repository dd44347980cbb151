import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { collection, parsePage } from '../common/collection';
import { JsonBody } from '../common/json-body.decorator';
import { spaceResource } from './space.resource';
import { SpacesService } from './spaces.service';

const createSpaceBody = z.object({ name: z.string().trim().min(1).max(255) });

@Controller('spaces')
export class SpacesController {
  constructor(private readonly spaces: SpacesService) {}

  @Post()
  @HttpCode(201)
  async create(@CurrentPrincipal() principal: Principal, @JsonBody(createSpaceBody) body: z.output<typeof createSpaceBody>) {
    return spaceResource(await this.spaces.create(principal, body.name));
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: Record<string, unknown>) {
    const page = parsePage(query);
    const { items, total } = await this.spaces.list(principal, page);
    return collection(items.map(spaceResource), total, page);
  }

  @Get(':spaceId')
  async get(@Param('spaceId') spaceId: string) {
    return spaceResource(await this.spaces.get(spaceId));
  }
}
