import { Injectable } from '@nestjs/common';
import { AssetLocalesService, environmentLocales } from '@hangar/assets';
import { constraintViolationOf, type Locale, type Prisma, PrismaService } from '@hangar/database';
import { newId, NotFoundError, type ValidationErrorDetail, ValidationFailedError, VersionMismatchError } from '@hangar/domain';
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

/** A locale's new state (PUT): what the body leaves out keeps its value; `default` may be sent, but not changed. */
export interface LocaleUpdate extends Partial<NewLocale> {
  readonly default?: boolean | undefined;
}

@Injectable()
export class LocalesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly environments: EnvironmentsService,
    private readonly assetLocales: AssetLocalesService,
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
    return this.prisma
      .$transaction(async (tx) => {
        await lockLocalesOf(tx, spaceId, environmentId);
        const existing = (await environmentLocales(tx, { spaceId, environmentId })).codes;
        const errors: ValidationErrorDetail[] = [];
        if (existing.includes(input.code)) errors.push(codeTaken(input.code));
        if (input.fallbackCode && !existing.includes(input.fallbackCode)) {
          errors.push({ name: 'in', path: ['fallbackCode'], details: `Fallback locale ${input.fallbackCode} does not exist.` });
        }
        if (errors.length > 0) throw new ValidationFailedError(errors);
        return tx.locale.create({
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
        });
      })
      .catch((error: unknown) => {
        // The lock serialises changes to the environment's locales; should two creates of one code still meet (an
        // environment copied meanwhile), the unique key decides, and the loser gets the answer it would have got.
        if (constraintViolationOf(error)?.kind === 'unique') throw new ValidationFailedError([codeTaken(input.code)]);
        throw error;
      });
  }

  /**
   * Updates a locale at the version the client read (409 otherwise), as
   * Contentful does: the default locale stays the default (`default` may be
   * sent unchanged, as contentful-import does); a code used as another
   * locale's fallback cannot change; a fallback must be another existing
   * locale and must not lead back. A new code takes the assets' values along
   * (see AssetLocalesService.renameLocale), and the fallbacks that named it.
   */
  async update(spaceId: string, environmentId: string, localeId: string, expectedVersion: number | undefined, input: LocaleUpdate) {
    const target = { spaceId, environmentId };
    return this.prisma
      .$transaction(async (tx) => {
        const locale = await this.lockedLocale(tx, spaceId, environmentId, localeId);
        if (expectedVersion !== locale.version) throw new VersionMismatchError(locale.version);
        const others = await tx.locale.findMany({
          where: { ...target, id: { not: localeId } },
          select: { code: true, fallbackCode: true },
        });
        const code = input.code ?? locale.code;
        const fallbackCode = input.fallbackCode === undefined ? locale.fallbackCode : input.fallbackCode;
        const errors: ValidationErrorDetail[] = [];
        if (input.default !== undefined && input.default !== locale.isDefault) {
          errors.push({ name: 'unchangeable', path: ['default'], details: 'The default locale of an environment is permanent.' });
        }
        if (code !== locale.code) {
          if (others.some((other) => other.code === code)) errors.push(codeTaken(code));
          if (others.some((other) => other.fallbackCode === locale.code)) {
            errors.push({
              name: 'in-use-as-fallback',
              path: ['code'],
              details: `Locale ${locale.code} is the fallback of another locale; change that locale's fallback first.`,
            });
          }
        }
        if (fallbackCode) {
          if (fallbackCode === code) {
            errors.push({ name: 'in', path: ['fallbackCode'], details: 'A locale cannot be its own fallback.' });
          } else if (!others.some((other) => other.code === fallbackCode)) {
            errors.push({ name: 'in', path: ['fallbackCode'], details: `Fallback locale ${fallbackCode} does not exist.` });
          } else if (fallbackLoops([...others, { code, fallbackCode }], code)) {
            errors.push({ name: 'in', path: ['fallbackCode'], details: `Falling back to ${fallbackCode} would lead back to ${code}.` });
          }
        }
        if (errors.length > 0) throw new ValidationFailedError(errors);
        if (code !== locale.code) await this.assetLocales.renameLocale(tx, target, locale.code, code);
        return tx.locale.update({
          where: { spaceId_environmentId_id: { spaceId, environmentId, id: localeId } },
          data: {
            name: input.name ?? locale.name,
            code,
            fallbackCode: fallbackCode ?? null,
            optional: input.optional ?? locale.optional,
            contentDeliveryApi: input.contentDeliveryApi ?? locale.contentDeliveryApi,
            contentManagementApi: input.contentManagementApi ?? locale.contentManagementApi,
            version: { increment: 1 },
          },
        });
      })
      .catch((error: unknown) => {
        // Two renames to the same code at once: the unique key decides, as for creates.
        if (constraintViolationOf(error)?.kind === 'unique' && input.code) throw new ValidationFailedError([codeTaken(input.code)]);
        throw error;
      });
  }

  /**
   * Deletes a locale and every asset value and locale file under its code.
   * The default locale, and a locale another one falls back to, cannot be
   * deleted (422).
   */
  async delete(spaceId: string, environmentId: string, localeId: string): Promise<void> {
    const target = { spaceId, environmentId };
    const objectKeys = await this.prisma.$transaction(async (tx) => {
      const locale = await this.lockedLocale(tx, spaceId, environmentId, localeId);
      if (locale.isDefault) {
        throw new ValidationFailedError([{ name: 'default', path: ['default'], details: 'The default locale cannot be deleted.' }]);
      }
      const dependent = await tx.locale.findFirst({ where: { ...target, fallbackCode: locale.code }, select: { code: true } });
      if (dependent) {
        throw new ValidationFailedError([
          {
            name: 'in-use-as-fallback',
            path: ['code'],
            details: `Locale ${locale.code} is the fallback of ${dependent.code}; change that locale's fallback first.`,
          },
        ]);
      }
      const keys = await this.assetLocales.dropLocale(tx, target, locale.code);
      await tx.locale.delete({ where: { spaceId_environmentId_id: { spaceId, environmentId, id: localeId } } });
      return keys;
    });
    await this.assetLocales.removeObjects(objectKeys);
  }

  /** The locale, with the environment's locales locked until the transaction ends (see lockLocalesOf). */
  private async lockedLocale(tx: Prisma.TransactionClient, spaceId: string, environmentId: string, localeId: string): Promise<Locale> {
    await lockLocalesOf(tx, spaceId, environmentId);
    const locale = await tx.locale.findUnique({ where: { spaceId_environmentId_id: { spaceId, environmentId, id: localeId } } });
    if (!locale) throw new NotFoundError('Locale', localeId);
    return locale;
  }
}

/**
 * Serialises changes to an environment's locales until the transaction ends:
 * two at once (a rename and a new fallback to the old code, say) would each
 * pass their checks against a state the other is changing.
 */
async function lockLocalesOf(tx: Prisma.TransactionClient, spaceId: string, environmentId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 AS "locked" FROM pg_advisory_xact_lock(hashtextextended(${`hangar:locales:${spaceId}:${environmentId}`}, 0))`;
}

/** Fallbacks that lead back to where they started would send a reader round in circles. */
function fallbackLoops(locales: readonly Pick<Locale, 'code' | 'fallbackCode'>[], start: string): boolean {
  const fallbackOf = new Map(locales.map((locale) => [locale.code, locale.fallbackCode]));
  const seen = new Set<string>();
  for (let code: string | null | undefined = start; code; code = fallbackOf.get(code)) {
    if (seen.has(code)) return true;
    seen.add(code);
  }
  return false;
}

function codeTaken(code: string): ValidationErrorDetail {
  return { name: 'taken', path: ['code'], details: `Locale code ${code} is already in use.` };
}
