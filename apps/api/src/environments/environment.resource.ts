import type { Environment } from '@hangar/database';
import { link } from '@hangar/domain';

export function environmentResource(environment: Environment) {
  return {
    sys: {
      type: 'Environment' as const,
      id: environment.id,
      version: environment.version,
      space: link('Space', environment.spaceId),
      status: { sys: { type: 'Link' as const, linkType: 'Status' as const, id: 'ready' as const } },
      createdAt: environment.createdAt.toISOString(),
      updatedAt: environment.updatedAt.toISOString(),
    },
    name: environment.name,
  };
}
