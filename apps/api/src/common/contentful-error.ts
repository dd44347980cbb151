import type { ErrorId } from '@hangar/domain';

/** The body of every error response, as Contentful's APIs send it. */
export interface ContentfulErrorBody {
  sys: { type: 'Error'; id: ErrorId };
  message: string;
  details?: Record<string, unknown>;
  requestId: string;
}

export function contentfulError(id: ErrorId, message: string, requestId: string, details?: Record<string, unknown>): ContentfulErrorBody {
  return { sys: { type: 'Error', id }, message, ...(details && Object.keys(details).length > 0 ? { details } : {}), requestId };
}
