import { Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import { HangarError, RESOURCE_ID_PATTERN } from '@hangar/domain';
import { collection, parsePage } from '../common/collection';
import { CreatesEnvironment } from '../common/environment-route.decorators';
import { JsonBody } from '../common/json-body.decorator';
import { ExpectedVersion } from '../common/version-header.decorator';
import { environmentResource } from './environment.resource';
import { EnvironmentsService } from './environments.service';

const putEnvironmentBody = z.object({ name: z.string().trim().min(1).max(255) });

@Controller('spaces/:spaceId/environments')
export class EnvironmentsController {
  constructor(private readonly environments: EnvironmentsService) {}

  @Get()
  async list(@Param('spaceId') spaceId: string, @Query() query: Record<string, unknown>) {
    const page = parsePage(query);
    const { items, total } = await this.environments.list(spaceId, page);
    return collection(items.map(environmentResource), total, page);
  }

  /** Contentful's `createEnvironment`: a generated id, the source's (master's) locales copied. */
  @Post()
  @HttpCode(201)
  async create(
    @Param('spaceId') spaceId: string,
    @JsonBody(putEnvironmentBody) body: z.output<typeof putEnvironmentBody>,
    @Headers('x-contentful-source-environment') source: string | undefined,
  ) {
    return environmentResource(await this.environments.create(spaceId, body.name, source));
  }

  @Get(':environmentId')
  async get(@Param('spaceId') spaceId: string, @Param('environmentId') environmentId: string) {
    return environmentResource(await this.environments.get(spaceId, environmentId));
  }

  @Put(':environmentId')
  @CreatesEnvironment()
  async put(
    @Param('spaceId') spaceId: string,
    @Param('environmentId') environmentId: string,
    @JsonBody(putEnvironmentBody) body: z.output<typeof putEnvironmentBody>,
    @ExpectedVersion() version: number | undefined,
    @Headers('x-contentful-source-environment') source: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (!RESOURCE_ID_PATTERN.test(environmentId)) {
      throw new HangarError('BadRequest', 'Environment ids may use letters, digits, "-", "_" and "." (1–64).', { id: environmentId });
    }
    const { environment, created } = await this.environments.put(spaceId, environmentId, body.name, version, source);
    response.status(created ? 201 : 200);
    return environmentResource(environment);
  }

  /** Deletes the environment (not master) and everything in it. */
  @Delete(':environmentId')
  @HttpCode(204)
  async delete(@Param('spaceId') spaceId: string, @Param('environmentId') environmentId: string) {
    await this.environments.delete(spaceId, environmentId);
  }
}
