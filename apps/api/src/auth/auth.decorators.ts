import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'hangar:public';
export const ADMIN_ONLY = 'hangar:admin-only';
export const NOT_FOR_BOUND_TOKENS = 'hangar:not-for-bound-tokens';
export const DIALECT_SPACE = 'hangar:dialect-space';
export const MANAGERS_ONLY = 'hangar:managers-only';
export const TOKEN_IN_QUERY = 'hangar:token-in-query';
export const BASIC_CREDENTIALS = 'hangar:basic-credentials';

/** The route needs no token (health checks, file delivery). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only an administrator's token may call the route (never one bound to a space: it acts beyond that space). */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);

/**
 * Under `/spaces/:spaceId`, even reading needs a manager's role and a token
 * that may manage (a space's webhook signing secret, say): 403 for others.
 */
export const ManagersOnly = () => SetMetadata(MANAGERS_ONLY, true);

/** A route outside any space that a token bound to one space may not call (creating another space, say): 403. */
export const NotForBoundTokens = () => SetMetadata(NOT_FOR_BOUND_TOKENS, true);

/**
 * The route also takes its token as `?access_token=<token>` when no `Authorization` header carries one: browsers'
 * `EventSource` cannot set headers (Contentful's Delivery API takes `access_token` the same way). A token in a URL
 * ends up in proxies' logs and browser history (Hangar's own access log never writes query strings), so only the
 * route that cannot do without it is marked.
 */
export const TokenInQuery = () => SetMetadata(TOKEN_IN_QUERY, true);

/**
 * The route also takes HTTP Basic credentials, the token as the password (any user name): a page a browser opens by
 * navigating (the queue dashboard) cannot send a Bearer token, but a browser asks for Basic credentials itself when
 * a 401 says `WWW-Authenticate: Basic`.
 */
export const BasicCredentials = () => SetMetadata(BASIC_CREDENTIALS, true);

/** How a dialect route with an absolute path (no space in it) is authenticated; see {@link DialectSpace}. */
export interface DialectSpaceOptions {
  /** Also HTTP Basic credentials, the token as the password (any user name): Capillary's clients send those. */
  readonly basicCredentials?: boolean;
}

/**
 * The route's path names no space (Capillary's and Akana's are absolute): the
 * AuthGuard takes it from the token's binding, else from the `X-Hangar-Space`
 * header, else answers 400, and then checks membership and role in it as for
 * any route under `/spaces/:spaceId`. Read it with `@DialectSpaceId()`.
 */
export const DialectSpace = (options: DialectSpaceOptions = {}) => SetMetadata(DIALECT_SPACE, options);
