import { Injectable } from '@nestjs/common';
import { constraintViolationOf, Prisma, PrismaService, type WebhookDefinition } from '@hangar/database';
import { HangarError, newId, NotFoundError, type ValidationErrorDetail, ValidationFailedError, VersionMismatchError } from '@hangar/domain';
import type { WebhookDefinitionInput, WebhookFilterInput, WebhookTransformationInput } from './webhook-definition-input';

/** A custom header as stored: secret ones are sent to the receiver and never shown back. */
export interface StoredWebhookHeader {
  readonly key: string;
  readonly value: string;
  readonly secret?: true;
}

/** A definition as it may be shown: secret header values and the password left out. */
export interface WebhookDefinitionView {
  readonly id: string;
  readonly spaceId: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly createdById: string;
  readonly updatedAt: Date;
  readonly updatedById: string;
  readonly name: string;
  readonly url: string;
  readonly topics: readonly string[];
  readonly filters: readonly WebhookFilterInput[];
  readonly headers: readonly ({ key: string; value: string } | { key: string; secret: true })[];
  readonly httpBasicUsername: string | null;
  readonly active: boolean;
  readonly transformation: WebhookTransformationInput | undefined;
}

export interface WebhookDefinitionPage {
  readonly items: WebhookDefinitionView[];
  readonly total: number;
}

/** The stored headers of a definition (written by this service only, so their shape is known). */
export function storedHeadersOf(definition: Pick<WebhookDefinition, 'headers'>): StoredWebhookHeader[] {
  return Array.isArray(definition.headers) ? (definition.headers as unknown as StoredWebhookHeader[]) : [];
}

function viewOf(definition: WebhookDefinition): WebhookDefinitionView {
  return {
    id: definition.id,
    spaceId: definition.spaceId,
    version: definition.version,
    createdAt: definition.createdAt,
    createdById: definition.createdById,
    updatedAt: definition.updatedAt,
    updatedById: definition.updatedById,
    name: definition.name,
    url: definition.url,
    topics: definition.topics,
    filters: Array.isArray(definition.filters) ? (definition.filters as unknown as WebhookFilterInput[]) : [],
    headers: storedHeadersOf(definition).map((header) =>
      header.secret ? { key: header.key, secret: true as const } : { key: header.key, value: header.value },
    ),
    httpBasicUsername: definition.httpBasicUsername,
    active: definition.active,
    transformation: (definition.transformation as WebhookTransformationInput | null) ?? undefined,
  };
}

const required = (field: string): ValidationErrorDetail => ({ name: 'required', path: [field], details: `${field} is required` });

/**
 * The new headers: each one sent without a value takes the stored value of
 * the header of the same key (case-insensitive) — how the SDK sends a secret
 * header back, having never seen its value; with no such header it is a 422.
 */
function mergedHeaders(
  input: NonNullable<WebhookDefinitionInput['headers']>,
  stored: readonly StoredWebhookHeader[],
): StoredWebhookHeader[] {
  const errors: ValidationErrorDetail[] = [];
  const merged = input.map((header, index) => {
    const value = header.value ?? stored.find((old) => old.key.toLowerCase() === header.key.toLowerCase())?.value;
    if (value === undefined) {
      errors.push({ name: 'required', path: ['headers', index, 'value'], details: `the header ${header.key} needs a value` });
    }
    return header.secret ? { key: header.key, value: value ?? '', secret: true as const } : { key: header.key, value: value ?? '' };
  });
  if (errors.length > 0) throw new ValidationFailedError(errors);
  return merged;
}

/**
 * Basic credentials after a change: a password left out is kept while there
 * is a user name (the SDK never has it to send back); no user name, no
 * password; a password without a user name is a 422.
 */
function credentials(
  input: WebhookDefinitionInput,
  stored: Pick<WebhookDefinition, 'httpBasicUsername' | 'httpBasicPassword'> | undefined,
): { httpBasicUsername: string | null; httpBasicPassword: string | null } {
  const username = input.httpBasicUsername === undefined ? (stored?.httpBasicUsername ?? null) : input.httpBasicUsername;
  const password = input.httpBasicPassword === undefined ? (stored?.httpBasicPassword ?? null) : input.httpBasicPassword;
  if (username === null || username === '') {
    if (typeof input.httpBasicPassword === 'string' && input.httpBasicPassword !== '') {
      throw new ValidationFailedError([
        { name: 'required', path: ['httpBasicUsername'], details: 'httpBasicPassword needs httpBasicUsername' },
      ]);
    }
    return { httpBasicUsername: null, httpBasicPassword: null };
  }
  return { httpBasicUsername: username, httpBasicPassword: password };
}

/**
 * Contentful's webhook definitions of a space. They are configuration, not
 * content: changing one stages no domain event. Ids are unique across spaces
 * (the table's key), so a PUT naming an id another space uses is a 409.
 */
@Injectable()
export class WebhookDefinitionsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(spaceId: string, page: { skip: number; limit: number }): Promise<WebhookDefinitionPage> {
    const [rows, total] = await Promise.all([
      this.prisma.webhookDefinition.findMany({
        where: { spaceId },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        skip: page.skip,
        take: page.limit,
      }),
      this.prisma.webhookDefinition.count({ where: { spaceId } }),
    ]);
    return { items: rows.map(viewOf), total };
  }

  async get(spaceId: string, id: string): Promise<WebhookDefinitionView> {
    return viewOf(await this.stored(spaceId, id));
  }

  /** The definition as stored, secrets included (for the delivery worker); 404 when the space has no such definition. */
  async stored(spaceId: string, id: string): Promise<WebhookDefinition> {
    const definition = await this.prisma.webhookDefinition.findFirst({ where: { id, spaceId } });
    if (!definition) throw new NotFoundError('WebhookDefinition', id);
    return definition;
  }

  async create(spaceId: string, actorId: string, input: WebhookDefinitionInput, id: string = newId()): Promise<WebhookDefinitionView> {
    const missing = (['name', 'url', 'topics'] as const).filter((field) => input[field] === undefined).map(required);
    if (missing.length > 0) throw new ValidationFailedError(missing);
    const { name = '', url = '', topics = [] } = input;
    const data = {
      id,
      spaceId,
      name,
      url,
      topics,
      filters: (input.filters ?? []) as Prisma.InputJsonValue,
      headers: mergedHeaders(input.headers ?? [], []) as unknown as Prisma.InputJsonValue,
      ...credentials(input, undefined),
      active: input.active ?? true,
      transformation: (input.transformation ?? undefined) as Prisma.InputJsonValue | undefined,
      createdById: actorId,
      updatedById: actorId,
    };
    try {
      return viewOf(await this.prisma.webhookDefinition.create({ data }));
    } catch (error) {
      if (constraintViolationOf(error)?.kind !== 'unique') throw error;
      // Another PUT of this id won the race, or another space has it.
      const existing = await this.prisma.webhookDefinition.findUnique({ where: { id }, select: { spaceId: true, version: true } });
      if (existing?.spaceId === spaceId) throw new VersionMismatchError(existing.version);
      throw idTaken(id);
    }
  }

  /**
   * Contentful's PUT: creates the definition with this id when there is none
   * (no version expected), else updates it at the version the client read
   * (409 otherwise). What the body leaves out keeps its value.
   */
  async put(
    spaceId: string,
    actorId: string,
    id: string,
    input: WebhookDefinitionInput,
    expectedVersion: number | undefined,
  ): Promise<{ definition: WebhookDefinitionView; created: boolean }> {
    const existing = await this.prisma.webhookDefinition.findUnique({ where: { id } });
    if (!existing) {
      if (expectedVersion !== undefined) throw new NotFoundError('WebhookDefinition', id);
      return { definition: await this.create(spaceId, actorId, input, id), created: true };
    }
    if (existing.spaceId !== spaceId) throw idTaken(id);
    if (expectedVersion !== existing.version) throw new VersionMismatchError(existing.version);
    const transformation = input.transformation === undefined ? existing.transformation : input.transformation;
    // The version in the condition: a concurrent update that got there first makes this one a 409, not a lost write.
    const { count } = await this.prisma.webhookDefinition.updateMany({
      where: { id, spaceId, version: existing.version },
      data: {
        name: input.name ?? existing.name,
        url: input.url ?? existing.url,
        topics: input.topics ?? existing.topics,
        filters: input.filters === undefined ? (existing.filters ?? []) : (input.filters ?? []),
        headers: (input.headers === undefined
          ? storedHeadersOf(existing)
          : mergedHeaders(input.headers, storedHeadersOf(existing))) as unknown as Prisma.InputJsonValue,
        ...credentials(input, existing),
        active: input.active ?? existing.active,
        transformation: transformation === null ? Prisma.DbNull : (transformation as Prisma.InputJsonValue),
        updatedById: actorId,
        updatedAt: new Date(),
        version: { increment: 1 },
      },
    });
    if (count === 0) throw await this.goneOrChanged(spaceId, id);
    return { definition: await this.get(spaceId, id), created: false };
  }

  /** Deletes a definition (and, by cascade, its deliveries and call log). A version, when given, must be current. */
  async delete(spaceId: string, id: string, expectedVersion: number | undefined): Promise<void> {
    const existing = await this.stored(spaceId, id);
    if (expectedVersion !== undefined && expectedVersion !== existing.version) throw new VersionMismatchError(existing.version);
    const { count } = await this.prisma.webhookDefinition.deleteMany({
      where: { id, spaceId, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) },
    });
    if (count === 0) throw await this.goneOrChanged(spaceId, id);
  }

  private async goneOrChanged(spaceId: string, id: string): Promise<HangarError> {
    const now = await this.prisma.webhookDefinition.findFirst({ where: { id, spaceId }, select: { version: true } });
    return now ? new VersionMismatchError(now.version) : new NotFoundError('WebhookDefinition', id);
  }
}

function idTaken(id: string): HangarError {
  return new HangarError('Conflict', 'A webhook definition with this id already exists elsewhere; choose another id.', { id });
}
