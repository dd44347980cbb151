/** Asserts a response is a Contentful-shaped error with the given status and id. */
export function expectContentfulError(
  response: { status: number; body: unknown; headers: Record<string, string | string[] | undefined> },
  status: number,
  id: string,
): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/vnd\.contentful\.management\.v1\+json/);
  const requestId = response.headers['x-contentful-request-id'];
  expect(typeof requestId).toBe('string');
  expect(response.body).toEqual(expect.objectContaining({ sys: { type: 'Error', id }, message: expect.any(String) as string, requestId }));
  expect(JSON.stringify(response.body)).not.toMatch(/\n\s+at /);
}
