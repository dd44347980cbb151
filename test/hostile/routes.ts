import type { RunningApi } from '../support/api-harness';
import type { HostileRequest } from './hostile-case';

/** A route as Express's router holds it: its layer decides which paths it serves. */
export interface RegisteredRoute {
  readonly method: HostileRequest['method'];
  readonly path: string;
  readonly layer: RouterLayer;
}

/** The part of Express 5's router layer this file relies on. */
interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  match(path: string): boolean;
}

const routesOfApp = new WeakMap<RunningApi, RegisteredRoute[]>();

/** Every method and path the api serves, in the order its router tries them (HEAD of a GET route is implied). */
export function registeredRoutes(api: RunningApi): RegisteredRoute[] {
  const known = routesOfApp.get(api);
  if (known) return known;
  const express = api.app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  const routes = express.router.stack.flatMap((layer) =>
    // A catch-all (`/{*path}`) is how Nest mounts middleware for every route, not a route of its own.
    layer.route && !layer.route.path.includes('{*')
      ? Object.keys(layer.route.methods).map((method) => ({
          method: method.toUpperCase() as RegisteredRoute['method'],
          path: layer.route?.path ?? '',
          layer,
        }))
      : [],
  );
  routesOfApp.set(api, routes);
  return routes;
}

/** The route the router would hand this request to, if any: the first one whose method and path match. */
export function firstRouteFor(api: RunningApi, hostile: HostileRequest): RegisteredRoute | undefined {
  const path = hostile.path.split('?')[0] ?? '';
  return registeredRoutes(api).find((route) => route.method === hostile.method && matches(route.layer, path));
}

function matches(layer: RouterLayer, path: string): boolean {
  try {
    return layer.match(path);
  } catch {
    return false; // a path whose parameters cannot be decoded reaches no route: the router answers it itself
  }
}
