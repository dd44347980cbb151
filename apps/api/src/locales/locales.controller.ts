import { Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { z } from 'zod';
import { collection, parsePage } from '../common/collection';
import { JsonBody } from '../common/json-body.decorator';
import { ExpectedVersion } from '../common/version-header.decorator';
import { LOCALE_CODE, LOCALE_CODE_MESSAGE } from './locale-code';
import { localeResource } from './locale.resource';
import { LocalesService } from './locales.service';

const createLocaleBody = z.object({
  name: z.string().trim().min(1).max(255),
  code: z.string().regex(LOCALE_CODE, LOCALE_CODE_MESSAGE),
  fallbackCode: z.string().regex(LOCALE_CODE, LOCALE_CODE_MESSAGE).nullish(),
  optional: z.boolean().optional(),
  contentDeliveryApi: z.boolean().optional(),
  contentManagementApi: z.boolean().optional(),
  default: z.literal(false).optional(),
});

/** Every field may be left out (it keeps its value); unknown keys, such as the read-only ones an export carries, are ignored. */
const updateLocaleBody = createLocaleBody.partial().extend({ default: z.boolean().optional() });

@Controller('spaces/:spaceId/environments/:environmentId/locales')
export class LocalesController {
  constructor(private readonly locales: LocalesService) {}

  @Get()
  async list(@Param('spaceId') spaceId: string, @Param('environmentId') environmentId: string, @Query() query: Record<string, unknown>) {
    const page = parsePage(query);
    const { items, total } = await this.locales.list(spaceId, environmentId, page);
    return collection(items.map(localeResource), total, page);
  }

  @Get(':localeId')
  async get(@Param('spaceId') spaceId: string, @Param('environmentId') environmentId: string, @Param('localeId') localeId: string) {
    return localeResource(await this.locales.get(spaceId, environmentId, localeId));
  }

  @Post()
  @HttpCode(201)
  async create(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string,
    @JsonBody(createLocaleBody) body: z.output<typeof createLocaleBody>,
  ) {
    return localeResource(await this.locales.create(spaceId, environmentId, body));
  }

  @Put(':localeId')
  async update(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string,
    @Param('localeId') localeId: string,
    @ExpectedVersion() version: number | undefined,
    @JsonBody(updateLocaleBody) body: z.output<typeof updateLocaleBody>,
  ) {
    return localeResource(await this.locales.update(spaceId, environmentId, localeId, version, body));
  }

  @Delete(':localeId')
  @HttpCode(204)
  async delete(@Param('spaceId') spaceId: string, @Param('environmentId') environmentId: string, @Param('localeId') localeId: string) {
    await this.locales.delete(spaceId, environmentId, localeId);
  }
}
