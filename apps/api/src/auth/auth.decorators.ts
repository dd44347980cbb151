import { SetMetadata } from '@nestjs/common';

export const PUBLIC_ROUTE = 'hangar:public';
export const ADMIN_ONLY = 'hangar:admin-only';

/** The route needs no token (health checks, file delivery). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Only an administrator's token may call the route. */
export const AdminOnly = () => SetMetadata(ADMIN_ONLY, true);
