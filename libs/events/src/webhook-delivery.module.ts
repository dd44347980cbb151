import { Module } from '@nestjs/common';
import { OutboundModule } from '@hangar/outbound';
import { WebhookDeliveryService } from './webhook-delivery.service';
import { WebhookFanoutService } from './webhook-fanout.service';

/**
 * Webhook fan-out and delivery, for the worker: it brings the guarded
 * outbound client, so the api (which does not import it) opens no outbound
 * connections of its own.
 */
@Module({
  imports: [OutboundModule],
  providers: [WebhookFanoutService, WebhookDeliveryService],
  exports: [WebhookFanoutService, WebhookDeliveryService],
})
export class WebhookDeliveryModule {}
