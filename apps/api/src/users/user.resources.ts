import type { SpaceMembership, User } from '@hangar/database';
import { link } from '@hangar/domain';
import type { IssuedToken } from '../auth/access-token.service';

export function userResource(user: User) {
  return {
    sys: {
      type: 'User' as const,
      id: user.id,
      version: user.version,
      createdAt: user.createdAt.toISOString(),
      updatedAt: user.updatedAt.toISOString(),
    },
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    activated: true,
    confirmed: true,
    admin: user.isAdmin,
  };
}

export function personalAccessTokenResource(token: IssuedToken) {
  return {
    sys: {
      type: 'PersonalAccessToken' as const,
      id: token.id,
      createdAt: token.createdAt.toISOString(),
      user: link('User', token.userId),
      // Only on a token bound to one space.
      ...(token.spaceId === undefined ? {} : { space: link('Space', token.spaceId) }),
    },
    name: token.name,
    scopes: token.scopes,
    revokedAt: null,
    token: token.token,
  };
}

export function spaceMembershipResource(membership: SpaceMembership) {
  return {
    sys: {
      type: 'SpaceMembership' as const,
      id: membership.id,
      version: membership.version,
      space: link('Space', membership.spaceId),
      user: link('User', membership.userId),
      createdAt: membership.createdAt.toISOString(),
      updatedAt: membership.updatedAt.toISOString(),
    },
    role: membership.role,
    admin: membership.role === 'manager',
  };
}
