import { Injectable } from '@nestjs/common';
import { WebhookDeliveryService } from '@hangar/events';
import { type JobContext, type JobHandler, JobName, type JobPayloads } from '@hangar/queue';

type Delivery = JobPayloads[typeof JobName.DeliverWebhook];

/** Runs `deliver-webhook` jobs: one attempt each; the domain decides what it means, BullMQ when to try again. */
@Injectable()
export class WebhookDeliveryProcessor implements JobHandler<typeof JobName.DeliverWebhook> {
  readonly jobName = JobName.DeliverWebhook;

  constructor(private readonly deliveries: WebhookDeliveryService) {}

  handle(payload: Delivery, context: JobContext): Promise<void> {
    return this.deliveries.deliver(payload.deliveryId, context.attempt);
  }

  recordFinalFailure(payload: Delivery, reason: string): Promise<void> {
    return this.deliveries.recordFailure(payload.deliveryId, reason);
  }
}
