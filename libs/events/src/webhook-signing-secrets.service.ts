import { Injectable } from '@nestjs/common';
import { PrismaService } from '@hangar/database';
import { NotFoundError } from '@hangar/domain';

/** A space's signing secret as it may be shown: its last four characters, as Contentful shows it. */
export interface SigningSecretView {
  readonly spaceId: string;
  readonly redactedValue: string;
  readonly createdAt: Date;
  readonly createdById: string;
  readonly updatedAt: Date;
  readonly updatedById: string;
}

const REDACTED_LENGTH = 4;

/**
 * The one signing secret of a space (Contentful's `webhook_settings/signing_secret`):
 * set or replaced, read back redacted, deleted. Only the delivery worker reads
 * the value ({@link signingSecretOf}).
 */
@Injectable()
export class WebhookSigningSecretsService {
  constructor(private readonly prisma: PrismaService) {}

  async upsert(spaceId: string, actorId: string, value: string): Promise<SigningSecretView> {
    const row = await this.prisma.webhookSigningSecret.upsert({
      where: { spaceId },
      create: { spaceId, value, createdById: actorId, updatedById: actorId },
      update: { value, updatedById: actorId, updatedAt: new Date() },
    });
    return viewOf(row);
  }

  async get(spaceId: string): Promise<SigningSecretView> {
    const row = await this.prisma.webhookSigningSecret.findUnique({ where: { spaceId } });
    if (!row) throw new NotFoundError('WebhookSigningSecret');
    return viewOf(row);
  }

  /** Deleting a secret that is not there leaves the state asked for: not an error. */
  async delete(spaceId: string): Promise<void> {
    await this.prisma.webhookSigningSecret.deleteMany({ where: { spaceId } });
  }

  /** The secret to sign the space's webhook requests with, or undefined when the space has none (requests go unsigned). */
  async signingSecretOf(spaceId: string): Promise<string | undefined> {
    const row = await this.prisma.webhookSigningSecret.findUnique({ where: { spaceId }, select: { value: true } });
    return row?.value;
  }
}

function viewOf(row: {
  spaceId: string;
  value: string;
  createdAt: Date;
  createdById: string;
  updatedAt: Date;
  updatedById: string;
}): SigningSecretView {
  return {
    spaceId: row.spaceId,
    redactedValue: row.value.slice(-REDACTED_LENGTH),
    createdAt: row.createdAt,
    createdById: row.createdById,
    updatedAt: row.updatedAt,
    updatedById: row.updatedById,
  };
}
