import type { Locale } from '@hangar/database';
import { link } from '@hangar/domain';

export function localeResource(locale: Locale) {
  return {
    sys: {
      type: 'Locale' as const,
      id: locale.id,
      version: locale.version,
      space: link('Space', locale.spaceId),
      environment: link('Environment', locale.environmentId),
      createdAt: locale.createdAt.toISOString(),
      updatedAt: locale.updatedAt.toISOString(),
    },
    name: locale.name,
    code: locale.code,
    fallbackCode: locale.fallbackCode,
    default: locale.isDefault,
    contentManagementApi: locale.contentManagementApi,
    contentDeliveryApi: locale.contentDeliveryApi,
    optional: locale.optional,
  };
}
