/** Scopes of a personal access token, as Contentful names them. */
export const TOKEN_SCOPES = ['content_management_manage', 'content_management_read'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Who a request acts as, once its token is verified. */
export interface Principal {
  readonly userId: string;
  readonly tokenId: string;
  readonly isAdmin: boolean;
  /** False for a token whose scopes only allow reading. */
  readonly tokenCanManage: boolean;
  /**
   * The one space a token bound at creation may act on; undefined for a token of every space its user may see.
   * Any other space is answered as one the caller is no member of (404).
   */
  readonly boundSpaceId: string | undefined;
}
