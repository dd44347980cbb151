import { type ArgumentsHost, Catch, Controller, Get, Patch, Post, Put, Req, Res, UseFilters } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccessDeniedError, HangarError, NotFoundError } from '@hangar/domain';
import { AdminOnly, BasicCredentials } from '../auth/auth.decorators';
import { ContentfulExceptionFilter } from '../common/contentful-exception.filter';
import { METRICS_ROUTE_LOCAL } from '../metrics/http-metrics.middleware';
import { QUEUE_DASHBOARD_PATH, QueueDashboard } from './queue-dashboard';

const PATHS = [QUEUE_DASHBOARD_PATH.slice(1), `${QUEUE_DASHBOARD_PATH.slice(1)}/*path`];

/**
 * A refusal of the dashboard as any other (Contentful's body), and a 401 that
 * asks the browser for credentials (`WWW-Authenticate: Basic`): it then sends
 * them itself with every request of the page, its API and its files.
 */
@Catch()
export class BasicChallengeFilter extends ContentfulExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HangarError && exception.status === 401) {
      host.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Basic realm="Hangar queues", charset="UTF-8"');
    }
    super.catch(exception, host);
  }
}

/**
 * Bull Board at /admin/queues, for administrators only: an administrator's
 * token (HANGAR_ADMIN_TOKEN, or any token of an administrator, never one bound
 * to a space) as `Authorization: Bearer`, or — since a browser navigating to a
 * page cannot send a Bearer token — as the password of HTTP Basic credentials
 * (any user name). Every guard applies as on the API (unknown tokens count
 * against the client's address; requests against the user's rate limit), and
 * the dashboard's actions (retry, clean, pause…) are writes an administrator's
 * managing token may make.
 */
@Controller()
@AdminOnly()
@BasicCredentials()
@UseFilters(BasicChallengeFilter)
export class QueueDashboardController {
  constructor(private readonly dashboard: QueueDashboard) {}

  @Get(PATHS)
  read(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.handOver(request, response);
  }

  @Put(PATHS)
  act(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.handOver(request, response);
  }

  @Patch(PATHS)
  change(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.handOver(request, response);
  }

  @Post(PATHS)
  add(@Req() request: Request, @Res() response: Response): Promise<void> {
    return this.handOver(request, response);
  }

  /** The request, with its URL relative to the dashboard, to Bull Board's own Express app; 404 for what it does not serve. */
  private async handOver(request: Request, response: Response): Promise<void> {
    refuseCrossSiteActions(request);
    const board = await this.dashboard.app();
    response.locals[METRICS_ROUTE_LOCAL] = QUEUE_DASHBOARD_PATH;
    // Every answer starts as Contentful JSON (request-id middleware); Express keeps a type already set, and the
    // dashboard's pages, files and API each need their own.
    response.removeHeader('Content-Type');
    const url = request.url;
    request.url = url.slice(QUEUE_DASHBOARD_PATH.length) || '/';
    if (!request.url.startsWith('/')) request.url = `/${request.url}`;
    // Put back before the access log and the metrics read it (they listen for 'close', which follows 'finish').
    const restore = () => (request.url = url);
    response.once('finish', restore);
    return new Promise<void>((resolve, reject) => {
      response.once('close', () => resolve());
      board(request, response, (error?: unknown) => {
        restore();
        reject(error instanceof Error ? error : new NotFoundError('QueueDashboardPage'));
      });
    });
  }
}

/**
 * A browser sends the Basic credentials it holds for the dashboard with any request to it, from any page — also a
 * form another site posts here. Browsers name the page's origin on every request that is not a GET: an action
 * whose origin is another host is refused (the dashboard's own page is same-origin; scripts without a browser send
 * no Origin).
 */
function refuseCrossSiteActions(request: Request): void {
  const origin = request.header('origin');
  if (request.method === 'GET' || origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined; // `Origin: null` (a sandboxed or privacy-sensitive context) is no origin of ours
  }
  if (host !== request.header('host')) {
    throw new AccessDeniedError('Queue dashboard actions are taken from its own page only (the Origin is another site).');
  }
}
