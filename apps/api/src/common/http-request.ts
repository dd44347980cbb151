import type { Request } from 'express';
import type { Principal } from '../auth/principal';

/** The Express request as Hangar's middleware leaves it. */
export interface HangarRequest extends Request {
  requestId: string;
  principal?: Principal;
  /** Whether the route's `:environmentId` exists in its space, when the AuthGuard already looked it up. */
  environmentExists?: boolean | undefined;
  /** The space of a dialect route with an absolute path, as the AuthGuard resolved it (see `@DialectSpace()`). */
  dialectSpaceId?: string;
}
