import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { adminAuth, JSON_TYPE, newSpace, newUser } from './support/factories';
import { waitFor } from './support/processes';

/**
 * Kept grants (AUTH_CACHE_SECONDS): two api processes' worth of caches (two apps in this process, each with its own,
 * as two replicas have) that would keep a grant for five minutes, so anything that ends sooner is invalidation.
 */
describe('kept grants: a token and a membership are looked up once, and taking access away reaches every api at once', () => {
  let first: RunningApi;
  let second: RunningApi;
  /** Well within the five minutes a grant would otherwise be kept. */
  const PROPAGATION_MS = 3_000;

  beforeAll(async () => {
    first = await startApi({ AUTH_CACHE_SECONDS: '300' });
    second = await startApi({ AUTH_CACHE_SECONDS: '300' });
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  const spaceStatus = async (api: RunningApi, spaceId: string, auth: { Authorization: string }) =>
    (await request(api.baseUrl).get(`/spaces/${spaceId}`).set(auth)).status;

  it('keeps a grant: a membership removed behind the api’s back still answers until access changes through it', async () => {
    const owner = await newUser(first.baseUrl);
    const spaceId = await newSpace(first.baseUrl, owner);
    expect(await spaceStatus(second, spaceId, owner.auth)).toBe(200);
    // Straight in the database, as no route does: the kept grant is what answers.
    await second.app.get(PrismaService).spaceMembership.deleteMany({ where: { spaceId, userId: owner.id } });
    expect(await spaceStatus(second, spaceId, owner.auth)).toBe(200);
    // Any change that takes access away, on either api, makes both look again.
    const other = await newUser(first.baseUrl);
    const otherSpace = await newSpace(first.baseUrl, other);
    await request(first.baseUrl).delete(`/spaces/${otherSpace}`).set(other.auth).expect(204);
    await waitFor(async () => (await spaceStatus(second, spaceId, owner.auth)) === 404, PROPAGATION_MS, 'the other api to look again');
  });

  it('a revoked token is refused by every api at once', async () => {
    const owner = await newUser(first.baseUrl);
    const issued = await request(first.baseUrl)
      .post('/users/me/access_tokens')
      .set(owner.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'kept', scopes: ['content_management_manage'] })
      .expect(201);
    const auth = { Authorization: `Bearer ${issued.body.token as string}` };
    await request(first.baseUrl).get('/users/me').set(auth).expect(200);
    await request(second.baseUrl).get('/users/me').set(auth).expect(200);
    await request(first.baseUrl)
      .put(`/users/me/access_tokens/${issued.body.sys.id as string}/revoked`)
      .set(owner.auth)
      .expect(204);
    expectContentfulError(await request(first.baseUrl).get('/users/me').set(auth), 401, 'AccessTokenInvalid');
    await waitFor(async () => (await request(second.baseUrl).get('/users/me').set(auth)).status === 401, PROPAGATION_MS, 'the revocation');
  });

  it('a removed member loses access on every api at once; a new member (never a refusal kept) gains it at once', async () => {
    const owner = await newUser(first.baseUrl);
    const member = await newUser(first.baseUrl);
    const spaceId = await newSpace(first.baseUrl, owner);
    // Refused first, on both: a refusal is not kept, so the membership below works at once.
    expect(await spaceStatus(first, spaceId, member.auth)).toBe(404);
    expect(await spaceStatus(second, spaceId, member.auth)).toBe(404);
    // The administrator adds anyone (a manager only users they share a space with).
    const added = await request(first.baseUrl)
      .post(`/spaces/${spaceId}/space_memberships`)
      .set(adminAuth)
      .set('Content-Type', JSON_TYPE)
      .send({ user: { sys: { type: 'Link', linkType: 'User', id: member.id } }, role: 'viewer' })
      .expect(201);
    expect(await spaceStatus(second, spaceId, member.auth)).toBe(200);
    expect(await spaceStatus(first, spaceId, member.auth)).toBe(200);
    await request(first.baseUrl)
      .delete(`/spaces/${spaceId}/space_memberships/${added.body.sys.id as string}`)
      .set(owner.auth)
      .expect(204);
    expect(await spaceStatus(first, spaceId, member.auth)).toBe(404);
    await waitFor(async () => (await spaceStatus(second, spaceId, member.auth)) === 404, PROPAGATION_MS, 'the removal');
  });

  it('a deleted environment is gone for every api at once; a new one is there at once', async () => {
    const owner = await newUser(first.baseUrl);
    const spaceId = await newSpace(first.baseUrl, owner);
    const environmentId = `env-${Date.now()}`;
    const locales = (api: RunningApi) =>
      request(api.baseUrl).get(`/spaces/${spaceId}/environments/${environmentId}/locales`).set(owner.auth);
    expectContentfulError(await locales(second), 404, 'NotFound');
    await request(first.baseUrl)
      .put(`/spaces/${spaceId}/environments/${environmentId}`)
      .set(owner.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'kept' })
      .expect(201);
    expect((await locales(second)).status).toBe(200);
    await request(first.baseUrl).delete(`/spaces/${spaceId}/environments/${environmentId}`).set(owner.auth).expect(204);
    expectContentfulError(await locales(first), 404, 'NotFound');
    await waitFor(async () => (await locales(second)).status === 404, PROPAGATION_MS, 'the deletion');
  });

  it('with AUTH_CACHE_SECONDS=0 nothing is kept', async () => {
    const uncached = await startApi({ AUTH_CACHE_SECONDS: '0' });
    try {
      const owner = await newUser(uncached.baseUrl);
      const spaceId = await newSpace(uncached.baseUrl, owner);
      expect(await spaceStatus(uncached, spaceId, owner.auth)).toBe(200);
      await uncached.app.get(PrismaService).spaceMembership.deleteMany({ where: { spaceId, userId: owner.id } });
      expect(await spaceStatus(uncached, spaceId, owner.auth)).toBe(404);
      await request(uncached.baseUrl).get('/users/me').set(adminAuth).expect(200);
    } finally {
      await uncached.close();
    }
  });
});
