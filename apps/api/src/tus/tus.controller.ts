import { Controller, Delete, Head, Options, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { environmentTarget } from '@hangar/domain';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import type { HangarRequest } from '../common/http-request';
import { TusHandler } from './tus.handler';
import { ApiErrors } from '../docs/openapi.decorators';

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
  @ApiResponse({ status: 204, description: 'What the server supports: Tus-Version, Tus-Extension, Tus-Max-Size.' })
  options(@Param() params: TusParams, @CurrentPrincipal() principal: Principal, @Req() request: HangarRequest, @Res() response: Response) {
    return this.tus.handle(request, response, routeOf(params, principal));
  }

  @Post(ENDPOINT)
  @ApiHeader({ name: 'Upload-Length', required: false, description: 'The whole length (or Upload-Defer-Length: 1).' })
  @ApiHeader({ name: 'Upload-Metadata', required: false, description: 'filename and filetype, base64 (tus).' })
  @ApiResponse({ status: 201, description: "Created: Location is the upload's URL, X-Hangar-Upload-Id its Upload id." })
  @ApiErrors([409, 413, 415], [410, 412, 460])
  create(@Param() params: TusParams, @CurrentPrincipal() principal: Principal, @Req() request: HangarRequest, @Res() response: Response) {
    return this.tus.handle(request, response, routeOf(params, principal));
  }

  @Head(UPLOAD)
  @ApiResponse({ status: 200, description: 'Upload-Offset: how much has arrived.' })
  @ApiErrors([], [410, 412])
  offset(@Param() params: TusParams, @CurrentPrincipal() principal: Principal, @Req() request: HangarRequest, @Res() response: Response) {
    return this.tus.handle(request, response, routeOf(params, principal));
  }

  @Patch(UPLOAD)
  @ApiConsumes('application/offset+octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiHeader({ name: 'Upload-Offset', required: true, description: 'Where these bytes start.' })
  @ApiResponse({ status: 204, description: 'Appended: Upload-Offset is the new offset.' })
  @ApiErrors([408, 409, 413, 415], [410, 412, 460])
  append(@Param() params: TusParams, @CurrentPrincipal() principal: Principal, @Req() request: HangarRequest, @Res() response: Response) {
    return this.tus.handle(request, response, routeOf(params, principal));
  }

  @Delete(UPLOAD)
  @ApiResponse({ status: 204, description: 'Terminated.' })
  @ApiErrors([], [410, 412])
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
