import { Controller, Get } from '@nestjs/common';
import { HangarError } from '@hangar/domain';
import { Public } from '../auth/auth.decorators';
import { HealthService } from './health.service';
import { ApiErrors } from '../docs/openapi.decorators';

@Controller('health')
@Public()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: the process answers. */
  @Get()
  live() {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL, Redis and MinIO all answer; 503 naming the ones that do not. */
  @Get('ready')
  @ApiErrors([503])
  async ready() {
    const checks = await this.health.readiness();
    const down = Object.entries(checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name);
    if (down.length > 0) {
      throw new HangarError('ServiceUnavailable', `Not ready: ${down.join(', ')} ${down.length === 1 ? 'is' : 'are'} down.`, {
        checks,
        down,
      });
    }
    return { status: 'ready', checks };
  }
}
