import { z } from 'zod';
import { topicPatternProblem } from './webhook-topics';
import { regexpFilterProblem } from './webhook-filters';

/**
 * A webhook definition as clients send it (Contentful's shape), every field
 * optional: a new definition must have `name`, `url` and `topics` (checked
 * where it is created: a PUT may create or update), an update keeps what it
 * leaves out. Unknown top-level keys (the `sys` an SDK object carries) are
 * ignored; inside headers, filters and the transformation they are refused,
 * since a misspelt key there would silently change what is delivered.
 */

export const WEBHOOK_LIMITS = {
  nameLength: 255,
  /** What browsers and CDNs reliably handle, as for remote-import URLs. */
  urlLength: 2048,
  topics: 50,
  filters: 20,
  filterValueLength: 255,
  filterValues: 100,
  /** Patterns run against every matching event's ids: short ones only. */
  filterPatternLength: 256,
  headers: 30,
  headerKeyLength: 100,
  headerValueLength: 1000,
  basicAuthLength: 255,
  /** The serialised transformation body: a template, not a payload. */
  transformationBodyLength: 65_536,
} as const;

/** An RFC 9110 token: what an HTTP client accepts as a header name. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Tab and visible ASCII: Node refuses other characters in a header value, and CR/LF would inject headers. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Headers a definition may not set: they describe the request's framing and
 * target (a wrong one breaks or redirects the delivery), or are Contentful's
 * own (`X-Contentful-Topic`, the signature headers…), which a receiver must be
 * able to trust.
 */
export function forbiddenHeaderProblem(key: string): string | undefined {
  const lower = key.toLowerCase();
  if (['host', 'content-length', 'transfer-encoding', 'connection'].includes(lower)) return `the ${key} header is set by Hangar`;
  if (lower.startsWith('x-contentful-')) return 'X-Contentful-* headers are set by Hangar';
  return undefined;
}

/**
 * Why `value` cannot be a webhook URL, if it cannot: an absolute http(s) URL
 * without whitespace, control characters or credentials (credentials belong
 * in httpBasicUsername/httpBasicPassword, which are never shown back; a URL
 * is). Whether its host may be called is decided at delivery (libs/outbound),
 * against the addresses it resolves to then.
 */
export function webhookUrlProblem(value: string): string | undefined {
  if (/\s/.test(value) || CONTROL.test(value)) return 'must be a URL without spaces or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http:// or https:// URL, not ${url.protocol}`;
  if (url.username !== '' || url.password !== '') return 'must not contain credentials: use httpBasicUsername and httpBasicPassword';
  return undefined;
}

/** Delivery runs every filter's pattern on every event: refuse those that could stall it (libs/events webhook-filters). */
function regexpProblem(pattern: string): string | undefined {
  const problem = regexpFilterProblem(pattern);
  return problem === undefined ? undefined : `is refused: ${problem}`;
}

const FILTER_DOCS = ['sys.id', 'sys.environment.sys.id', 'sys.contentType.sys.id'] as const;
const filterDoc = z.strictObject({ doc: z.enum(FILTER_DOCS) });
const filterValue = z.string().min(1).max(WEBHOOK_LIMITS.filterValueLength);
const equalsOperands = z.tuple([filterDoc, filterValue]);
const inOperands = z.tuple([filterDoc, z.array(filterValue).min(1).max(WEBHOOK_LIMITS.filterValues)]);
const regexpOperands = z.tuple([
  filterDoc,
  z.strictObject({
    pattern: z
      .string()
      .min(1)
      .max(WEBHOOK_LIMITS.filterPatternLength)
      .superRefine((pattern, context) => {
        const problem = regexpProblem(pattern);
        if (problem) context.addIssue({ code: 'custom', message: problem, params: { name: 'regexp' } });
      }),
  }),
]);

/** A constraint is an object of exactly one operator (a union of one-key objects would only say "invalid input"). */
function oneOperator(constraint: Record<string, unknown>, context: z.RefinementCtx): void {
  const operators = Object.keys(constraint).filter((key) => constraint[key] !== undefined);
  if (operators.length !== 1) {
    context.addIssue({
      code: 'custom',
      message: `a constraint is one of equals, in, regexp or not (found ${operators.length === 0 ? 'none' : operators.join(', ')})`,
      params: { name: 'type' },
    });
  }
}

const positiveConstraint = z
  .strictObject({ equals: equalsOperands.optional(), in: inOperands.optional(), regexp: regexpOperands.optional() })
  .superRefine(oneOperator);

/** Contentful's filter constraints: `equals`, `in`, `regexp` on a `doc` path, or `not` of one of them. */
export const webhookFilter = z.strictObject({ ...positiveConstraint.shape, not: positiveConstraint.optional() }).superRefine(oneOperator);
export type WebhookFilterInput = z.output<typeof webhookFilter>;

const webhookHeader = z.strictObject({
  key: z
    .string()
    .min(1)
    .max(WEBHOOK_LIMITS.headerKeyLength)
    .regex(HEADER_NAME, 'must be an HTTP header name')
    .superRefine((key, context) => {
      const problem = forbiddenHeaderProblem(key);
      if (problem) context.addIssue({ code: 'custom', message: problem, params: { name: 'prohibited' } });
    }),
  /** Left out to keep the stored value of a header of the same key (how a secret header is sent back unchanged). */
  value: z.string().max(WEBHOOK_LIMITS.headerValueLength).regex(HEADER_VALUE, 'must be tab or visible ASCII characters').optional(),
  secret: z.boolean().optional(),
});
export type WebhookHeaderInput = z.output<typeof webhookHeader>;

const TRANSFORMATION_CONTENT_TYPES = [
  'application/vnd.contentful.management.v1+json',
  'application/vnd.contentful.management.v1+json; charset=utf-8',
  'application/json',
  'application/json; charset=utf-8',
  'application/x-www-form-urlencoded',
  'application/x-www-form-urlencoded; charset=utf-8',
] as const;

/** The SDK's WebhookTransformation. */
export const webhookTransformation = z.strictObject({
  method: z.enum(['POST', 'GET', 'PUT', 'PATCH', 'DELETE']).nullable().optional(),
  contentType: z.enum(TRANSFORMATION_CONTENT_TYPES).nullable().optional(),
  includeContentLength: z.boolean().nullable().optional(),
  body: z
    .json()
    .optional()
    .refine((body) => body === undefined || JSON.stringify(body).length <= WEBHOOK_LIMITS.transformationBodyLength, {
      message: `must be at most ${WEBHOOK_LIMITS.transformationBodyLength} characters as JSON`,
      params: { name: 'size' },
    }),
});
export type WebhookTransformationInput = z.output<typeof webhookTransformation>;

const basicCredential = z
  .string()
  .max(WEBHOOK_LIMITS.basicAuthLength)
  .refine((value) => !CONTROL.test(value), { message: 'must not contain control characters' });

export const webhookDefinitionInput = z
  .object({
    name: z.string().trim().min(1).max(WEBHOOK_LIMITS.nameLength),
    url: z
      .string()
      .max(WEBHOOK_LIMITS.urlLength)
      .superRefine((url, context) => {
        const problem = webhookUrlProblem(url);
        if (problem) context.addIssue({ code: 'custom', message: problem, params: { name: 'regexp' } });
      }),
    topics: z
      .array(z.string().max(100))
      .min(1, 'must name at least one topic')
      .max(WEBHOOK_LIMITS.topics)
      .superRefine((topics, context) => {
        topics.forEach((topic, index) => {
          const problem = topicPatternProblem(topic);
          if (problem) context.addIssue({ code: 'custom', path: [index], message: problem, params: { name: 'in' } });
        });
      }),
    filters: z.array(webhookFilter).max(WEBHOOK_LIMITS.filters).nullable(),
    headers: z
      .array(webhookHeader)
      .max(WEBHOOK_LIMITS.headers)
      .superRefine((headers, context) => {
        const seen = new Set<string>();
        headers.forEach((header, index) => {
          const key = header.key.toLowerCase();
          if (seen.has(key)) {
            context.addIssue({ code: 'custom', path: [index, 'key'], message: `${header.key} is given twice`, params: { name: 'unique' } });
          }
          seen.add(key);
        });
      }),
    httpBasicUsername: basicCredential
      .refine((value) => !value.includes(':'), { message: 'must not contain ":" (HTTP Basic separates the password with it)' })
      .nullable(),
    httpBasicPassword: basicCredential.nullable(),
    active: z.boolean(),
    transformation: webhookTransformation.nullable(),
  })
  .partial();
export type WebhookDefinitionInput = z.output<typeof webhookDefinitionInput>;

/** The signing secret Contentful accepts: exactly 64 characters of `[0-9a-zA-Z+/=_-]`. */
export const SIGNING_SECRET = /^[0-9a-zA-Z+/=_-]{64}$/;

export const signingSecretInput = z.object({
  value: z.string().regex(SIGNING_SECRET, 'must be exactly 64 characters of 0-9, a-z, A-Z, +, /, =, _ and -'),
});
export type SigningSecretInput = z.output<typeof signingSecretInput>;
