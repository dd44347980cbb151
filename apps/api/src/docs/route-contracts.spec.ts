import 'reflect-metadata';
import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminOnly, Public } from '../auth/auth.decorators';
import { JsonBody } from '../common/json-body.decorator';
import { ExpectedVersion } from '../common/version-header.decorator';
import { describeController, REFERENCED_SCHEMAS, requestSchemaOf } from './route-contracts';

const thingBody = z.object({ name: z.string().min(1).max(10) });

@Controller('spaces/:spaceId/things')
class ThingsController {
  @Get()
  list() {}

  @Post()
  create(@JsonBody(thingBody) _body: unknown) {}

  @Delete(':thingId')
  @HttpCode(204)
  remove(@ExpectedVersion() _version: number | undefined) {}
}

@Controller('status')
@Public()
class StatusController {
  @Get()
  show() {}
}

@Controller('admin/things')
@AdminOnly()
class AdminThingsController {
  @Get()
  list() {}
}

const responsesOf = (handler: object) => Object.keys(Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) as object).sort();
const securityOf = (handler: object) => Reflect.getMetadata(DECORATORS.API_SECURITY, handler) as unknown;

describe('route contracts: what a route declares, as OpenAPI responses', () => {
  beforeAll(() => {
    for (const controller of [ThingsController, StatusController, AdminThingsController]) describeController(controller);
  });

  it('gives a read under a space the refusals of its guards, and a bearer token', () => {
    expect(responsesOf(ThingsController.prototype.list)).toEqual(['200', '400', '401', '404', '429', '503']);
    expect(securityOf(ThingsController.prototype.list)).toEqual([{ bearer: [] }]);
  });

  it("gives a JSON write its body's schema and 403, 413, 415 and 422, and 201 for a POST", () => {
    expect(responsesOf(ThingsController.prototype.create)).toEqual(['201', '400', '401', '403', '404', '413', '415', '422', '429', '503']);
    const body = Reflect.getMetadata(DECORATORS.API_PARAMETERS, ThingsController.prototype.create) as { in: string; schema: unknown }[];
    expect(body.find((parameter) => parameter.in === 'body')?.schema).toEqual({
      type: 'object',
      properties: { name: { type: 'string', minLength: 1, maxLength: 10 } },
      required: ['name'],
    });
  });

  it('gives X-Contentful-Version its 409 and header, and keeps @HttpCode as the success', () => {
    expect(responsesOf(ThingsController.prototype.remove)).toEqual(['204', '400', '401', '403', '404', '409', '429', '503']);
    const parameters = Reflect.getMetadata(DECORATORS.API_PARAMETERS, ThingsController.prototype.remove) as { name: string; in: string }[];
    expect(parameters).toEqual([expect.objectContaining({ name: 'X-Contentful-Version', in: 'header' })]);
  });

  it('gives a public route no token refusals and no security; an administrators-only one its 403', () => {
    expect(responsesOf(StatusController.prototype.show)).toEqual(['200', '400']);
    expect(securityOf(StatusController.prototype.show)).toBeUndefined();
    expect(responsesOf(AdminThingsController.prototype.list)).toEqual(['200', '400', '401', '403', '429', '503']);
  });

  it('describes a handler once however many apps describe it', () => {
    describeController(ThingsController);
    const tags = Reflect.getMetadata(DECORATORS.API_TAGS, ThingsController) as string[];
    expect(tags).toEqual(['Things']);
    expect(responsesOf(ThingsController.prototype.list)).toEqual(['200', '400', '401', '404', '429', '503']);
  });

  it('moves the definitions of recursive schemas to components, named by their content', () => {
    type Filter = { not?: Filter; equals?: string };
    const filter: z.ZodType<Filter> = z.lazy(() => z.object({ not: filter.optional(), equals: z.string().optional() }));
    const schema = requestSchemaOf(z.object({ filters: z.array(filter) }));
    const text = JSON.stringify(schema);
    expect(text).not.toContain('#/definitions/');
    const [reference] = /#\/components\/schemas\/([A-Za-z0-9_]+)/.exec(text) ?? [];
    expect(reference).toBeDefined();
    expect(REFERENCED_SCHEMAS.has(reference?.split('/').pop() ?? '')).toBe(true);
    expect(requestSchemaOf(z.object({ filters: z.array(filter) }))).toEqual(schema);
  });
});
