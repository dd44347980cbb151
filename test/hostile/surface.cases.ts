import { type HostileCase, J, refused } from './hostile-case';

const basic = (password: string) => ({ Authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` });

/**
 * The operator's surface (issue 15, items 4 and 5): the API reference, the
 * metrics and the queue dashboard. The reference is public and serves only
 * its own files; /metrics is open here (no METRICS_TOKEN: its token is in
 * test/metrics.e2e-spec.ts); the dashboard refuses everyone but
 * administrators — the corpus's user is not one — before any body is read.
 */
export function surfaceCases(): HostileCase[] {
  return [
    {
      name: 'docs: the page, whatever Authorization says',
      method: 'GET',
      path: '/docs',
      headers: { Authorization: 'Bearer forged' },
      status: 200,
      check: (response) => expect(response.text).toContain('swagger-ui-bundle.js'),
    },
    {
      name: 'docs: the document, with a query it ignores',
      method: 'GET',
      path: '/docs-json?format=yaml&x=%3Cscript%3E',
      status: 200,
      check: (response) => expect((JSON.parse(response.text) as { openapi: string }).openapi).toMatch(/^3\.0\./),
    },
    refused('docs: a NUL in the query', 'GET', '/docs-json?x=%00', 400, 'BadRequest'),
    refused('docs: a file outside the UI (traversal)', 'GET', '/docs/..%2F..%2Fpackage.json', 404, 'NotFound'),
    refused('docs: a file of the UI package not served', 'GET', '/docs/index.html', 404, 'NotFound'),
    refused('docs: __proto__ as a file name', 'GET', '/docs/__proto__', 404, 'NotFound'),
    refused('docs: a control character in the file name', 'GET', '/docs/swagger-ui.css%0A', 400, 'BadRequest'),
    refused('docs: writing to the document', 'POST', '/docs-json', 404, 'NotFound', { headers: J, body: '{}' }),
    {
      name: 'metrics: any Authorization when no METRICS_TOKEN is set',
      method: 'GET',
      path: '/metrics',
      headers: { Authorization: 'Basic ####' },
      status: 200,
      check: (response) => expect(response.text).toContain('# TYPE hangar_http_requests_total counter'),
    },
    refused('metrics: a NUL in the query', 'GET', '/metrics?name[]=%00', 400, 'BadRequest'),
    refused('metrics: writing to them', 'POST', '/metrics', 404, 'NotFound', { headers: J, body: '{"reset":true}' }),
    refused('queue dashboard: no token', 'GET', '/admin/queues', 401, 'AccessTokenInvalid', { headers: { Authorization: '' } }),
    refused('queue dashboard: forged Basic credentials', 'GET', '/admin/queues/api/queues', 401, 'AccessTokenInvalid', {
      headers: basic('CFPAT-forged-forged-forged-forged-forged'),
    }),
    refused('queue dashboard: Basic credentials without a password', 'GET', '/admin/queues', 401, 'AccessTokenInvalid', {
      headers: { Authorization: `Basic ${Buffer.from('admin').toString('base64')}` },
    }),
    refused('queue dashboard: a user who is no administrator', 'GET', '/admin/queues', 403, 'AccessDenied'),
    refused('queue dashboard: a control character in the path, before the token', 'GET', '/admin/queues/api%00', 400, 'BadRequest', {
      headers: { Authorization: '' },
    }),
    refused('queue dashboard: pausing every queue as a user', 'PUT', '/admin/queues/api/queues/pause', 403, 'AccessDenied'),
    refused('queue dashboard: PUT at its root as a user', 'PUT', '/admin/queues', 403, 'AccessDenied'),
    refused(
      'queue dashboard: cleaning a queue as a user, malformed JSON unread',
      'PATCH',
      '/admin/queues/api/queues/webhooks/clean',
      403,
      'AccessDenied',
      {
        headers: J,
        body: '{"status":',
      },
    ),
    refused('queue dashboard: PATCH at its root as a user', 'PATCH', '/admin/queues', 403, 'AccessDenied'),
    refused('queue dashboard: adding a job as a user', 'POST', '/admin/queues/api/queues/asset-processing/add', 403, 'AccessDenied', {
      headers: J,
      body: '{"name":"process-asset-file","data":{}}',
    }),
    refused('queue dashboard: POST at its root as a user', 'POST', '/admin/queues', 403, 'AccessDenied'),
  ];
}
