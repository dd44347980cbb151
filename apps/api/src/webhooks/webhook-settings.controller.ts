import { Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { type SigningSecretInput, signingSecretInput, WebhookSigningSecretsService } from '@hangar/events';
import { ManagersOnly } from '../auth/auth.decorators';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { JsonBody } from '../common/json-body.decorator';
import { signingSecretResource } from './webhook.resources';

/** A space's webhook signing secret (Contentful's `webhook_settings/signing_secret`): managers only, never shown in clear. */
@Controller('spaces/:spaceId/webhook_settings/signing_secret')
@ManagersOnly()
export class WebhookSettingsController {
  constructor(private readonly secrets: WebhookSigningSecretsService) {}

  @Put()
  async upsert(
    @Param('spaceId') spaceId: string,
    @CurrentPrincipal() principal: Principal,
    @JsonBody(signingSecretInput) body: SigningSecretInput,
  ) {
    return signingSecretResource(await this.secrets.upsert(spaceId, principal.userId, body.value));
  }

  @Get()
  async get(@Param('spaceId') spaceId: string) {
    return signingSecretResource(await this.secrets.get(spaceId));
  }

  @Delete()
  @HttpCode(204)
  async delete(@Param('spaceId') spaceId: string) {
    await this.secrets.delete(spaceId);
  }
}
