import { Injectable } from '@nestjs/common';
import { environmentLocales } from '@hangar/assets';
import { constraintViolationOf, type Locale, PrismaService } from '@hangar/database';
import { newId, NotFoundError, type ValidationErrorDetail, ValidationFailedError } from '@hangar/domain';
import type { Page } from '../common/collection';
import { EnvironmentsService } from '../environments/environments.service';

export interface NewLocale {
  readonly name: string;
  readonly code: string;
  readonly fallbackCode?: string | null | undefined;
  readonly optional?: boolean | undefined;
  readonly contentDeliveryApi?: boolean | undefined;
  readonly contentManagementApi?: boolean | undefined;
}

@Injectable()
export class LocalesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly environments: EnvironmentsService,
  ) {}

  async list(spaceId: string, environmentId: string, page: Page): Promise<{ items: Locale[]; total: number }> {
    await this.environments.get(spaceId, environmentId);
    const where = { spaceId, environmentId };
    const [items, total] = await Promise.all([
      this.prisma.locale.findMany({ where, orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }], skip: page.skip, take: page.limit }),
      this.prisma.locale.count({ where }),
    ]);
    return { items, total };
  }

  async get(spaceId: string, environmentId: string, localeId: string): Promise<Locale> {
    const locale = await this.prisma.locale.findUnique({
      where: { spaceId_environmentId_id: { spaceId, environmentId, id: localeId } },
    });
    if (!locale) throw new NotFoundError('Locale', localeId);
    return locale;
  }

  /** Locale codes of an environment, the default first. */
  async codes(spaceId: string, environmentId: string): Promise<readonly string[]> {
    return (await environmentLocales(this.prisma, { spaceId, environmentId })).codes;
  }

  async create(spaceId: string, environmentId: string, input: NewLocale): Promise<Locale> {
    await this.environments.get(spaceId, environmentId);
    const existing = await this.codes(spaceId, environmentId);
    const errors: ValidationErrorDetail[] = [];
    if (existing.includes(input.code)) errors.push(codeTaken(input.code));
    if (input.fallbackCode && !existing.includes(input.fallbackCode)) {
      errors.push({ name: 'in', path: ['fallbackCode'], details: `Fallback locale ${input.fallbackCode} does not exist.` });
    }
    if (errors.length > 0) throw new ValidationFailedError(errors);
    return this.prisma.locale
      .create({
        data: {
          id: newId(),
          spaceId,
          environmentId,
          name: input.name,
          code: input.code,
          fallbackCode: input.fallbackCode ?? null,
          optional: input.optional ?? false,
          contentDeliveryApi: input.contentDeliveryApi ?? true,
          contentManagementApi: input.contentManagementApi ?? true,
        },
      })
      .catch((error: unknown) => {
        // A concurrent create of the same code passed the check above too: the unique key decides, and the loser
        // gets the answer it would have got a moment later.
        if (constraintViolationOf(error)?.kind === 'unique') throw new ValidationFailedError([codeTaken(input.code)]);
        throw error;
      });
  }
}

function codeTaken(code: string): ValidationErrorDetail {
  return { name: 'taken', path: ['code'], details: `Locale code ${code} is already in use.` };
}
