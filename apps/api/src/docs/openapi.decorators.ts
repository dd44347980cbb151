import { applyDecorators } from '@nestjs/common';
import { ApiQuery, ApiResponse } from '@nestjs/swagger';

/** The name of the shared schema every error response refers to (components.schemas). */
export const ERROR_SCHEMA = 'ContentfulError';

/** What each error status means on Hangar's routes, as the OpenAPI document says it. */
export const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'BadRequest / InvalidQuery: a malformed path, query, header or body.',
  401: 'AccessTokenInvalid: no token, or one that is unknown or revoked.',
  403: 'AccessDenied: the role or token does not allow this.',
  404: 'NotFound: the space (or one the caller may not see), environment or resource does not exist.',
  408: 'RequestTimeout: the body stopped arriving for UPLOAD_IDLE_TIMEOUT_SECONDS.',
  409: 'VersionMismatch / Conflict: X-Contentful-Version is not the current version, or the resource changed meanwhile.',
  410: 'Gone: the upload expired or was terminated.',
  412: 'Precondition Failed: an unsupported Tus-Resumable version.',
  413: 'RequestEntityTooLarge: the body is over its limit.',
  415: 'UnsupportedMediaType: the body is not of a media type this route reads.',
  422: 'ValidationFailed: the body is well-formed but invalid; `details.errors` names each problem.',
  429: 'RateLimitExceeded: too many requests (or unknown tokens); retry after X-Contentful-RateLimit-Reset seconds.',
  460: 'Checksum Mismatch: the Upload-Checksum does not match the bytes sent.',
  503: 'ServiceUnavailable: a dependency (PostgreSQL, Redis, storage) is down, or the server is busy; retry later.',
};

/** Error responses with the shared Contentful error body; tus's own refusals are plain text (`textStatuses`). */
export function ApiErrors(statuses: readonly number[], textStatuses: readonly number[] = []): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERROR_DESCRIPTIONS[status] ?? 'Refused.',
        schema: { $ref: `#/components/schemas/${ERROR_SCHEMA}` },
      }),
    ),
    ...textStatuses.map((status) =>
      ApiResponse({
        status,
        description: `${ERROR_DESCRIPTIONS[status] ?? 'Refused.'} (tus's own answer: text/plain.)`,
        content: { 'text/plain': { schema: { type: 'string' } } },
      }),
    ),
  );
}

/** Query parameters, each a string given once (`name: description`). */
export function ApiQueryParameters(parameters: Readonly<Record<string, string>>): MethodDecorator {
  return applyDecorators(
    ...Object.entries(parameters).map(([name, description]) =>
      ApiQuery({ name, required: false, description, schema: { type: 'string' } }),
    ),
  );
}

/**
 * A route that delivers stored bytes (asset files, path-addressed files): the file or its rendition, a byte range,
 * not modified, a range beyond the file; with `errors` and the Images API query plus `query`.
 */
export function ApiDeliveredBytes(errors: readonly number[], query: Readonly<Record<string, string>> = {}): MethodDecorator {
  return applyDecorators(
    ApiResponse({
      status: 200,
      description: 'The bytes (a rendition when the URL has Images API parameters; X-Hangar-Rendition says how it was had).',
    }),
    ApiResponse({ status: 206, description: 'One byte range (Range).' }),
    ApiResponse({ status: 304, description: 'Not modified (If-None-Match).' }),
    ApiResponse({ status: 416, description: 'The range lies beyond the file.' }),
    ApiErrors(errors),
    ApiQueryParameters({ ...IMAGE_QUERY, ...query }),
  );
}

/** The query of an asset collection (Contentful's, and Hangar's cursor paging). */
export const ASSET_COLLECTION_QUERY: Readonly<Record<string, string>> = {
  skip: 'Offset paging: how many to skip.',
  limit: 'Page size (at most 1000).',
  order:
    'Comma-separated sort terms, `-` for descending: sys.createdAt, sys.updatedAt, sys.id, sys.version, fields.title, fields.file.contentType.',
  cursor: '`true` for cursor paging (no total; `pages.next`/`pages.prev` URLs).',
  pageNext: 'The token of the next page (cursor paging).',
  pagePrev: 'The token of the previous page (cursor paging).',
  locale: 'One locale code, or `*` for all.',
  select: 'Comma-separated fields to keep (`sys`, `fields.title`…).',
  'sys.id': 'Only the asset with this id.',
  'sys.id[in]': 'Only these ids (comma-separated).',
  'sys.id[nin]': 'All but these ids (comma-separated).',
  'fields.title': 'Title equal to this.',
  'fields.title[match]': 'Title containing these words.',
  'fields.title[exists]': '`true` or `false`.',
  'fields.file.contentType': 'Exactly this media type.',
  'fields.file.contentType[in]': 'One of these media types (comma-separated).',
  mimetype_group: 'A group of media types: image, video, audio, pdfdocument, archive, plaintext, …',
};

/** The Images API's parameters on a file URL (any of them makes the answer a rendition). */
export const IMAGE_QUERY: Readonly<Record<string, string>> = {
  w: 'Width in pixels.',
  h: 'Height in pixels.',
  fit: 'pad, fill, scale, crop, thumb.',
  f: 'Focus area for crop/thumb: center, top, right, left, bottom, top_right, …, face, faces.',
  fm: 'Format: jpg, png, webp, gif, avif.',
  fl: '`progressive` (jpg) or `png8`.',
  q: 'Quality, 1–100 (jpg, webp, avif).',
  r: 'Corner radius in pixels, or `max`.',
  bg: 'Background colour for pad (`rgb:ffffff`).',
};
