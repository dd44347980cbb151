import request from 'supertest';
import { TEST_ADMIN_TOKEN } from './test-env';

export const JSON_TYPE = 'application/vnd.contentful.management.v1+json';

let counter = 0;
/** A name unique across test files running in parallel. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

export const adminAuth = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

export interface TestUser {
  readonly id: string;
  readonly token: string;
  readonly auth: { Authorization: string };
}

/** A new user with a personal access token, made by the administrator over the API. */
export async function newUser(baseUrl: string, scopes: string[] = ['content_management_manage']): Promise<TestUser> {
  const user = await request(baseUrl)
    .post('/users')
    .set(adminAuth)
    .set('Content-Type', JSON_TYPE)
    .send({ email: `${uniqueName('user')}@tests.hangar.local` })
    .expect(201);
  const id = (user.body as { sys: { id: string } }).sys.id;
  const token = await request(baseUrl)
    .post(`/users/${id}/access_tokens`)
    .set(adminAuth)
    .set('Content-Type', JSON_TYPE)
    .send({ name: 'tests', scopes })
    .expect(201);
  const secret = (token.body as { token: string }).token;
  return { id, token: secret, auth: { Authorization: `Bearer ${secret}` } };
}

/** A new space owned (managed) by `user`. */
export async function newSpace(baseUrl: string, user: { auth: { Authorization: string } }): Promise<string> {
  const response = await request(baseUrl)
    .post('/spaces')
    .set(user.auth)
    .set('Content-Type', JSON_TYPE)
    .send({ name: uniqueName('space') })
    .expect(201);
  return (response.body as { sys: { id: string } }).sys.id;
}

/** Adds `userId` to a space with a role, as the administrator. */
export async function addMember(baseUrl: string, spaceId: string, userId: string, role: 'manager' | 'viewer'): Promise<void> {
  await request(baseUrl)
    .post(`/spaces/${spaceId}/space_memberships`)
    .set(adminAuth)
    .set('Content-Type', JSON_TYPE)
    .send({ user: { sys: { type: 'Link', linkType: 'User', id: userId } }, role })
    .expect(201);
}

/** Adds a locale to an environment of a space, as `user`. */
export async function addLocale(
  baseUrl: string,
  user: { auth: { Authorization: string } },
  spaceId: string,
  locale: { name: string; code: string; fallbackCode?: string },
  environmentId = 'master',
): Promise<void> {
  await request(baseUrl)
    .post(`/spaces/${spaceId}/environments/${environmentId}/locales`)
    .set(user.auth)
    .set('Content-Type', JSON_TYPE)
    .send(locale)
    .expect(201);
}
