import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { HangarMetrics } from '@hangar/observability';

/** What requests that reached no route are counted as: their paths are the client's, unbounded. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Set by a mount that routes on its own (the queue dashboard) to the template it wants counted under. */
export const METRICS_ROUTE_LOCAL = 'metricsRoute';

/**
 * Counts every request by method, route template and status, with its duration, once its response has finished
 * (or its client went away: 'close' without 'finish'). The template is the router's (`/spaces/:spaceId/…`), never
 * the path: ids in paths would make a series per resource.
 */
export function countRequests(metrics: HangarMetrics): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.once('close', () => {
      const mounted = response.locals[METRICS_ROUTE_LOCAL] as unknown;
      const template = (request.route as { path?: unknown } | undefined)?.path;
      const route = typeof mounted === 'string' ? mounted : typeof template === 'string' ? template : UNMATCHED_ROUTE;
      const labels = { method: request.method, route, status: String(response.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
