import type { Prisma } from '@hangar/database';
import type { EnvironmentTarget } from '@hangar/domain';

export interface EnvironmentLocales {
  /** Every locale code of the environment, the default first. */
  readonly codes: readonly string[];
  /** The default locale's code: the one whose values an asset's indexed `title` and `contentType` copy. */
  readonly defaultCode: string | undefined;
}

/** The one place the default-locale rule lives: the locale flagged `isDefault`, then the oldest. */
export async function environmentLocales(db: Prisma.TransactionClient, target: EnvironmentTarget): Promise<EnvironmentLocales> {
  const locales = await db.locale.findMany({
    where: target,
    orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }],
    select: { code: true },
  });
  const codes = locales.map((locale) => locale.code);
  return { codes, defaultCode: codes[0] };
}
