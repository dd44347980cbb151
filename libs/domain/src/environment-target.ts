/** Contentful's default environment, which every space has from its creation. */
export const MASTER_ENVIRONMENT = 'master';

/** The space and environment a change or a read happens in. */
export interface EnvironmentTarget {
  readonly spaceId: string;
  readonly environmentId: string;
}

/** Routes without an environment segment (`/spaces/{s}/uploads`, `/spaces/{s}/assets`) mean `master`, as in Contentful. */
export function environmentTarget(spaceId: string, environmentId: string | undefined): EnvironmentTarget {
  return { spaceId, environmentId: environmentId ?? MASTER_ENVIRONMENT };
}
