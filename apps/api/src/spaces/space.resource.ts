import { link } from '@hangar/domain';
import type { Space } from '@hangar/database';

export function spaceResource(space: Space) {
  return {
    sys: {
      type: 'Space' as const,
      id: space.id,
      version: space.version,
      createdAt: space.createdAt.toISOString(),
      updatedAt: space.updatedAt.toISOString(),
      createdBy: link('User', space.createdById),
    },
    name: space.name,
  };
}
