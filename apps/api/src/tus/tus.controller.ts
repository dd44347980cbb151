import { Controller, Delete, Head, Options, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { environmentTarget } from '@hangar/domain';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { HangarRequest } from '../common/http-request';
import { TusHandler } from './tus.handler';

const ENDPOINT = ['spaces/:spaceId/tus', 'spaces/:spaceId/environments/:environmentId/tus'];
const UPLOAD = ENDPOINT.map((path) => `${path}/:uploadId`);

/**
 * tus 1.0 resumable uploads (https://tus.io/protocols/resumable-upload),
 * mounted as ordinary routes so every guard (token, space role, environment,
 * rate limit), the Contentful error filter and the upload limits apply as on
 * the Upload API. A finished tus upload is an Upload: its id is the last
 * segment of `Location` (and `X-Hangar-Upload-Id`), for `uploadFrom`.
 */
@Controller()
export class TusController {
  constructor(private readonly tus: TusHandler) {}

  @Options([...ENDPOINT, ...UPLOAD])
  options(@Param() params: TusParams, @CurrentPrincipal() principal: Principal, @Req() request: HangarRequest, @Res() response: Response) {
    return this.tus.handle(request, response, routeOf(params, principal));
  }

  @Post(ENDPOINT)
  create(@Param() params: TusParams, @CurrentPrincipal() principal: Principal, @Req() request: HangarRequest, @Res() response: Response) {
    return this.tus.handle(request, response, routeOf(params, principal));
  }

  @Head(UPLOAD)
  offset(@Param() params: TusParams, @CurrentPrincipal() principal: Principal, @Req() request: HangarRequest, @Res() response: Response) {
    return this.tus.handle(request, response, routeOf(params, principal));
  }

  @Patch(UPLOAD)
  append(@Param() params: TusParams, @CurrentPrincipal() principal: Principal, @Req() request: HangarRequest, @Res() response: Response) {
    return this.tus.handle(request, response, routeOf(params, principal));
  }

  @Delete(UPLOAD)
  terminate(
    @Param() params: TusParams,
    @CurrentPrincipal() principal: Principal,
    @Req() request: HangarRequest,
    @Res() response: Response,
  ) {
    return this.tus.handle(request, response, routeOf(params, principal));
  }
}

interface TusParams {
  spaceId: string;
  environmentId?: string;
  uploadId?: string;
}

function routeOf({ spaceId, environmentId, uploadId }: TusParams, principal: Principal) {
  const basePath = environmentId === undefined ? `/spaces/${spaceId}/tus` : `/spaces/${spaceId}/environments/${environmentId}/tus`;
  return { basePath, target: environmentTarget(spaceId, environmentId), uploadId, userId: principal.userId };
}
