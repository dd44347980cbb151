import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { addMember, adminAuth, JSON_TYPE, newSpace, newUser, type TestUser, uniqueName } from './support/factories';
import { freePort, spawnApp, waitFor } from './support/processes';
import { testProcessEnv } from './support/test-env';

/** A request through fetch, which sends a Buffer as is (supertest serialises one sent as JSON), as a test response. */
async function fetchAnswer(url: string, init: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: Object.fromEntries(response.headers), body: JSON.parse(text) as unknown };
}

describe('tokens, users and space membership', () => {
  let api: RunningApi;
  let owner: TestUser;
  let stranger: TestUser;
  let spaceA: string;
  let spaceB: string;

  beforeAll(async () => {
    api = await startApi();
    owner = await newUser(api.baseUrl);
    stranger = await newUser(api.baseUrl);
    spaceA = await newSpace(api.baseUrl, owner);
    spaceB = await newSpace(api.baseUrl, stranger);
  });
  afterAll(async () => {
    await api.close();
  });

  it('refuses a request without a token with 401 AccessTokenInvalid', async () => {
    expectContentfulError(await request(api.baseUrl).get('/spaces'), 401, 'AccessTokenInvalid');
  });

  it('refuses an unknown or malformed token with 401', async () => {
    expectContentfulError(await request(api.baseUrl).get('/spaces').set('Authorization', 'Bearer CFPAT-nope'), 401, 'AccessTokenInvalid');
    expectContentfulError(await request(api.baseUrl).get('/spaces').set('Authorization', 'Basic abc'), 401, 'AccessTokenInvalid');
  });

  it('stores tokens hashed, never in clear', async () => {
    const { PrismaService } = await import('@hangar/database');
    const prisma = api.app.get(PrismaService);
    const rows = await prisma.accessToken.findMany({ where: { userId: owner.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(owner.token);
  });

  it('lists only the spaces a user is a member of', async () => {
    const response = await request(api.baseUrl).get('/spaces').set(owner.auth).expect(200);
    const ids = (response.body.items as { sys: { id: string } }[]).map((space) => space.sys.id);
    expect(ids).toEqual([spaceA]);
    expect(response.body).toMatchObject({ sys: { type: 'Array' }, total: 1, skip: 0, limit: 100 });
  });

  it('answers for a space of another user exactly as for one that does not exist', async () => {
    const foreign = await request(api.baseUrl).get(`/spaces/${spaceB}`).set(owner.auth);
    const missing = await request(api.baseUrl).get('/spaces/doesNotExist0000000000').set(owner.auth);
    expectContentfulError(foreign, 404, 'NotFound');
    expectContentfulError(missing, 404, 'NotFound');
    const { requestId: _a, details: foreignDetails, ...foreignRest } = foreign.body;
    const { requestId: _b, details: missingDetails, ...missingRest } = missing.body;
    expect(foreignRest).toEqual(missingRest);
    expect(Object.keys(foreignDetails)).toEqual(Object.keys(missingDetails));
  });

  it('lets a token of space A neither see nor touch anything of space B', async () => {
    const attempts = [
      request(api.baseUrl).get(`/spaces/${spaceB}/environments`).set(owner.auth),
      request(api.baseUrl).get(`/spaces/${spaceB}/environments/master`).set(owner.auth),
      request(api.baseUrl).get(`/spaces/${spaceB}/environments/master/locales`).set(owner.auth),
      request(api.baseUrl)
        .post(`/spaces/${spaceB}/environments/master/locales`)
        .set(owner.auth)
        .set('Content-Type', JSON_TYPE)
        .send({ name: 'German', code: 'de-DE' }),
      request(api.baseUrl).put(`/spaces/${spaceB}/environments/staging`).set(owner.auth).set('Content-Type', JSON_TYPE).send({ name: 's' }),
      request(api.baseUrl).get(`/spaces/${spaceB}/space_memberships`).set(owner.auth),
    ];
    for (const response of await Promise.all(attempts)) expectContentfulError(response, 404, 'NotFound');
    const locales = await request(api.baseUrl).get(`/spaces/${spaceB}/environments/master/locales`).set(stranger.auth).expect(200);
    expect(locales.body.total).toBe(1);
  });

  it('lets a viewer read but answers 403 AccessDenied when it writes', async () => {
    const viewer = await newUser(api.baseUrl);
    await addMember(api.baseUrl, spaceA, viewer.id, 'viewer');
    await request(api.baseUrl).get(`/spaces/${spaceA}/environments/master/locales`).set(viewer.auth).expect(200);
    const write = await request(api.baseUrl)
      .post(`/spaces/${spaceA}/environments/master/locales`)
      .set(viewer.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'German', code: 'de-DE' });
    expectContentfulError(write, 403, 'AccessDenied');
  });

  it('answers 403 when a read-only token of a manager writes', async () => {
    const reader = await newUser(api.baseUrl, ['content_management_read']);
    await addMember(api.baseUrl, spaceA, reader.id, 'manager');
    await request(api.baseUrl).get(`/spaces/${spaceA}`).set(reader.auth).expect(200);
    const write = await request(api.baseUrl)
      .put(`/spaces/${spaceA}/environments/readonly-try`)
      .set(reader.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'x' });
    expectContentfulError(write, 403, 'AccessDenied');
    expectContentfulError(
      await request(api.baseUrl).post('/spaces').set(reader.auth).set('Content-Type', JSON_TYPE).send({ name: 'x' }),
      403,
      'AccessDenied',
    );
  });

  it('keeps administration to administrators', async () => {
    const create = await request(api.baseUrl)
      .post('/users')
      .set(owner.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ email: 'someone@tests.hangar.local' });
    expectContentfulError(create, 403, 'AccessDenied');
    const token = await request(api.baseUrl)
      .post(`/users/${stranger.id}/access_tokens`)
      .set(owner.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'steal', scopes: ['content_management_manage'] });
    expectContentfulError(token, 403, 'AccessDenied');
  });

  it('lets a user issue and revoke tokens of their own', async () => {
    const issued = await request(api.baseUrl)
      .post('/users/me/access_tokens')
      .set(owner.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'ci', scopes: ['content_management_read'] })
      .expect(201);
    expect(issued.body).toMatchObject({
      sys: { type: 'PersonalAccessToken', user: { sys: { type: 'Link', linkType: 'User', id: owner.id } } },
      name: 'ci',
      scopes: ['content_management_read'],
      token: expect.stringMatching(/^CFPAT-[A-Za-z0-9_-]{43}$/),
    });
    const auth = { Authorization: `Bearer ${issued.body.token}` };
    const me = await request(api.baseUrl).get('/users/me').set(auth).expect(200);
    expect(me.body.sys).toMatchObject({ type: 'User', id: owner.id });
    await request(api.baseUrl).put(`/users/me/access_tokens/${issued.body.sys.id}/revoked`).set(owner.auth).expect(204);
    expectContentfulError(await request(api.baseUrl).get('/users/me').set(auth), 401, 'AccessTokenInvalid');
  });

  it('lets the administrator manage memberships, and a removed member loses access', async () => {
    const member = await newUser(api.baseUrl);
    const added = await request(api.baseUrl)
      .post(`/spaces/${spaceA}/space_memberships`)
      .set(adminAuth)
      .set('Content-Type', JSON_TYPE)
      .send({ user: { sys: { type: 'Link', linkType: 'User', id: member.id } }, role: 'manager' })
      .expect(201);
    expect(added.body).toMatchObject({ sys: { type: 'SpaceMembership' }, role: 'manager', admin: true });
    await request(api.baseUrl).get(`/spaces/${spaceA}`).set(member.auth).expect(200);
    const duplicate = await request(api.baseUrl)
      .post(`/spaces/${spaceA}/space_memberships`)
      .set(adminAuth)
      .set('Content-Type', JSON_TYPE)
      .send({ user: { sys: { type: 'Link', linkType: 'User', id: member.id } }, role: 'viewer' });
    expectContentfulError(duplicate, 422, 'ValidationFailed');
    await request(api.baseUrl).delete(`/spaces/${spaceA}/space_memberships/${added.body.sys.id}`).set(adminAuth).expect(204);
    expectContentfulError(await request(api.baseUrl).get(`/spaces/${spaceA}`).set(member.auth), 404, 'NotFound');
  });

  it('seeds the administrator token idempotently across restarts', async () => {
    const again = await startApi();
    try {
      const me = await request(again.baseUrl).get('/users/me').set(adminAuth).expect(200);
      expect(me.body).toMatchObject({ email: 'admin@tests.hangar.local', admin: true });
      const { PrismaService } = await import('@hangar/database');
      const prisma = again.app.get(PrismaService);
      const admins = await prisma.user.findMany({
        where: { email: 'admin@tests.hangar.local' },
        include: { tokens: { where: { revokedAt: null } } },
      });
      expect(admins).toHaveLength(1);
      expect(admins[0]?.tokens).toHaveLength(1);
    } finally {
      await again.close();
    }
  });

  describe('compressed JSON bodies', () => {
    // 8 KiB of gzip that inflates to 8 MiB, eight times the JSON body limit.
    const bomb = gzipSync(Buffer.from(`{"name":"${'x'.repeat(8 * 1024 * 1024)}"}`));
    const post = (auth: Record<string, string>, body: Buffer) =>
      fetchAnswer(`${api.baseUrl}/spaces`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': JSON_TYPE, 'Content-Encoding': 'gzip' },
        body,
      });

    it('refuses a gzip bomb from an unknown token with 401 before inflating it', async () => {
      expectContentfulError(await post({ Authorization: 'Bearer CFPAT-unknown' }, bomb), 401, 'AccessTokenInvalid');
    });

    it('measures the JSON body limit on the inflated body: 413 RequestEntityTooLarge', async () => {
      expectContentfulError(await post(owner.auth, bomb), 413, 'RequestEntityTooLarge');
    });

    it('answers a body that does not inflate with 400 BadRequest, not a server error', async () => {
      expectContentfulError(await post(owner.auth, Buffer.from('1f8b0800000000000003deadbeefdeadbeef', 'hex')), 400, 'BadRequest');
    });

    it('parses a compressed body that fits', async () => {
      const created = await post(owner.auth, gzipSync(Buffer.from(JSON.stringify({ name: 'compressed' }))));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ sys: { type: 'Space' }, name: 'compressed' });
    });
  });

  describe('adding a member', () => {
    const add = (auth: { Authorization: string }, spaceId: string, userId: string) =>
      request(api.baseUrl)
        .post(`/spaces/${spaceId}/space_memberships`)
        .set(auth)
        .set('Content-Type', JSON_TYPE)
        .send({ user: { sys: { type: 'Link', linkType: 'User', id: userId } }, role: 'viewer' });

    it('answers an unknown user id exactly as a user the manager shares no space with, and adds neither', async () => {
      const unrelated = await newUser(api.baseUrl);
      const unknownId = 'doesNotExist0000000000';
      const forUnrelated = await add(owner.auth, spaceA, unrelated.id);
      const forUnknown = await add(owner.auth, spaceA, unknownId);
      expectContentfulError(forUnrelated, 422, 'ValidationFailed');
      expectContentfulError(forUnknown, 422, 'ValidationFailed');
      const { requestId: _a, ...unrelatedRest } = forUnrelated.body;
      const { requestId: _b, ...unknownRest } = forUnknown.body;
      expect(JSON.stringify(unrelatedRest).replaceAll(unrelated.id, '<id>')).toBe(
        JSON.stringify(unknownRest).replaceAll(unknownId, '<id>'),
      );
      expect(unknownRest).toMatchObject({ details: { errors: [{ name: 'notResolvable', path: ['user'] }] } });
      expectContentfulError(await request(api.baseUrl).get(`/spaces/${spaceA}`).set(unrelated.auth), 404, 'NotFound');
    });

    it('lets a manager add a user they share a space with, and an administrator anyone', async () => {
      const colleague = await newUser(api.baseUrl);
      const sharedSpace = await newSpace(api.baseUrl, colleague);
      await addMember(api.baseUrl, sharedSpace, owner.id, 'viewer');
      expect((await add(owner.auth, spaceA, colleague.id)).status).toBe(201);
      await request(api.baseUrl).get(`/spaces/${spaceA}`).set(colleague.auth).expect(200);

      const newcomer = await newUser(api.baseUrl);
      expect((await add(adminAuth, spaceA, newcomer.id)).status).toBe(201);
      expectContentfulError(await add(adminAuth, spaceA, 'doesNotExist0000000000'), 422, 'ValidationFailed');
    });
  });

  describe('HANGAR_ADMIN_EMAIL naming an existing user', () => {
    const seededToken = () => `CFPAT-${uniqueName('seed-test-token').padEnd(40, '0')}`;

    it('refuses to boot rather than make an ordinary user an administrator, and leaves the user as they were', async () => {
      const user = await newUser(api.baseUrl);
      const { PrismaService } = await import('@hangar/database');
      const prisma = api.app.get(PrismaService);
      const { email } = await prisma.user.findUniqueOrThrow({ where: { id: user.id } });
      const token = seededToken();
      const port = await freePort();
      const { child, exited } = spawnApp(
        'api',
        testProcessEnv({ PORT: String(port), HANGAR_ADMIN_EMAIL: email, HANGAR_ADMIN_TOKEN: token }),
      );
      const serving = () =>
        fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
      await waitFor(async () => child.exitCode !== null || (await serving()), 30_000, 'the api to exit or serve');
      child.kill('SIGTERM'); // if it booted after all: the expectations below fail, and nothing is left running
      const result = await exited;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        `hangar api failed to start: HANGAR_ADMIN_EMAIL (${email}) is an existing user who is not an administrator`,
      );
      expect(result.stderr).toContain('HANGAR_ADMIN_PROMOTE_EXISTING=true');
      const after = await prisma.user.findUniqueOrThrow({ where: { id: user.id }, include: { tokens: true } });
      expect(after.isAdmin).toBe(false);
      expect(after.tokens).toHaveLength(1);
    });

    it('promotes the user when HANGAR_ADMIN_PROMOTE_EXISTING=true says so', async () => {
      const user = await newUser(api.baseUrl);
      const { PrismaService } = await import('@hangar/database');
      const { email } = await api.app.get(PrismaService).user.findUniqueOrThrow({ where: { id: user.id } });
      const token = seededToken();
      const seeded = await startApi({ HANGAR_ADMIN_EMAIL: email, HANGAR_ADMIN_TOKEN: token, HANGAR_ADMIN_PROMOTE_EXISTING: 'true' });
      try {
        const me = await request(seeded.baseUrl).get('/users/me').set('Authorization', `Bearer ${token}`).expect(200);
        expect(me.body).toMatchObject({ sys: { id: user.id }, email, admin: true });
      } finally {
        await seeded.close();
      }
    });
  });
});
