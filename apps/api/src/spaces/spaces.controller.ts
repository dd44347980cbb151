import { Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { NotForBoundTokens } from '../auth/auth.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { collection, parsePage } from '../common/collection';
import { JsonBody } from '../common/json-body.decorator';
import { LOCALE_CODE, LOCALE_CODE_MESSAGE } from '../locales/locale-code';
import { spaceResource } from './space.resource';
import { SpacesService } from './spaces.service';

/** Contentful's space creation: a name, and the code of the default locale (`en-US` unless told otherwise). */
const createSpaceBody = z.object({
  name: z.string().trim().min(1).max(255),
  defaultLocale: z.string().regex(LOCALE_CODE, LOCALE_CODE_MESSAGE).optional(),
});

@Controller('spaces')
export class SpacesController {
  constructor(private readonly spaces: SpacesService) {}

  @Post()
  @HttpCode(201)
  @NotForBoundTokens()
  async create(@CurrentPrincipal() principal: Principal, @JsonBody(createSpaceBody) body: z.output<typeof createSpaceBody>) {
    return spaceResource(await this.spaces.create(principal, body.name, body.defaultLocale));
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

  /** Deletes the space and everything in it (managers only, as every write). */
  @Delete(':spaceId')
  @HttpCode(204)
  async delete(@Param('spaceId') spaceId: string) {
    await this.spaces.delete(spaceId);
  }
}
