import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, type AppConfig } from '@hangar/config';
import { HangarError } from '@hangar/domain';
import { HangarMetrics, metricsAuthorized } from '@hangar/observability';
import { Public } from '../auth/auth.decorators';
import { ApiErrors } from '../docs/openapi.decorators';

/**
 * Prometheus' scrape target. Not behind Hangar's own tokens (Prometheus has no user here): open, or, with
 * METRICS_TOKEN set, for `Authorization: Bearer <METRICS_TOKEN>` only (Prometheus' `authorization` setting).
 */
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: HangarMetrics,
  ) {}

  @Get()
  @ApiResponse({
    status: 200,
    description: 'Prometheus text exposition format.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @ApiErrors([401])
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() response: Response): Promise<void> {
    if (!metricsAuthorized(this.config.metrics.token, authorization)) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new HangarError('AccessTokenInvalid', 'Send the metrics token as Authorization: Bearer <METRICS_TOKEN>.');
    }
    const body = await this.metrics.registry.metrics();
    response.status(200).type(this.metrics.registry.contentType).send(body);
  }
}
