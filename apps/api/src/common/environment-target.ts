import { MASTER_ENVIRONMENT } from '../spaces/spaces.service';

/** The space and environment a request works in. */
export interface EnvironmentTarget {
  readonly spaceId: string;
  readonly environmentId: string;
}

/** Routes without an environment segment (`/spaces/{s}/uploads`, `/spaces/{s}/assets`) mean `master`, as in Contentful. */
export function environmentTarget(spaceId: string, environmentId: string | undefined): EnvironmentTarget {
  return { spaceId, environmentId: environmentId ?? MASTER_ENVIRONMENT };
}
