import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { adminAuth, JSON_TYPE, newSpace, newUser, type TestUser, uniqueName } from './support/factories';

interface IssuedToken {
  sys: { id: string; space?: { sys: { type: string; linkType: string; id: string } } };
  token: string;
}

const spaceLink = (id: string) => ({ sys: { type: 'Link', linkType: 'Space', id } });

/**
 * Tokens bound to one space (issue 11): the space of Capillary's and Akana's
 * absolute routes, and a narrower credential for the ordinary API too.
 */
describe('tokens bound to a space', () => {
  let api: RunningApi;
  let owner: TestUser;
  let stranger: TestUser;
  let home: string;
  let second: string;
  let strangers: string;

  const mint = (auth: { Authorization: string }, body: Record<string, unknown>, path = '/users/me/access_tokens') =>
    request(api.baseUrl).post(path).set(auth).set('Content-Type', JSON_TYPE).send(body);
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    api = await startApi();
    owner = await newUser(api.baseUrl);
    stranger = await newUser(api.baseUrl);
    home = await newSpace(api.baseUrl, owner);
    second = await newSpace(api.baseUrl, owner);
    strangers = await newSpace(api.baseUrl, stranger);
  });
  afterAll(async () => {
    await api.close();
  });

  it('binds a token at creation and shows the binding as sys.space', async () => {
    const response = await mint(owner.auth, { name: 'bound', scopes: ['content_management_manage'], space: spaceLink(home) });
    expect(response.status).toBe(201);
    const issued = response.body as IssuedToken;
    expect(issued.sys.space).toEqual(spaceLink(home));
    const unbound = (await mint(owner.auth, { name: 'free', scopes: ['content_management_read'] })).body as IssuedToken;
    expect(unbound.sys.space).toBeUndefined();
  });

  it('acts in its own space and answers every other one as missing (404), the user’s other spaces too', async () => {
    const { token } = (await mint(owner.auth, { name: 'bound', scopes: ['content_management_manage'], space: spaceLink(home) }))
      .body as IssuedToken;
    await request(api.baseUrl).get(`/spaces/${home}`).set(bearer(token)).expect(200);
    expectContentfulError(await request(api.baseUrl).get(`/spaces/${second}`).set(bearer(token)), 404, 'NotFound');
    expectContentfulError(await request(api.baseUrl).put(`/spaces/${second}/folders/x`).set(bearer(token)), 404, 'NotFound');
    // The owner's unbound token still reaches both.
    await request(api.baseUrl).get(`/spaces/${second}`).set(owner.auth).expect(200);
    const listed = await request(api.baseUrl).get('/spaces').set(bearer(token)).expect(200);
    expect((listed.body as { items: { sys: { id: string } }[]; total: number }).items.map((space) => space.sys.id)).toEqual([home]);
    expect((listed.body as { total: number }).total).toBe(1);
  });

  it('cannot create spaces, administer, or mint a token that escapes its space', async () => {
    const { token } = (await mint(owner.auth, { name: 'bound', scopes: ['content_management_manage'], space: spaceLink(home) }))
      .body as IssuedToken;
    expectContentfulError(
      await request(api.baseUrl).post('/spaces').set(bearer(token)).set('Content-Type', JSON_TYPE).send({ name: 'escape' }),
      403,
      'AccessDenied',
    );
    // A token it mints is bound to the same space, asked or not; another space is the usual 404.
    const child = (await mint(bearer(token), { name: 'child', scopes: ['content_management_manage'] }).expect(201)).body as IssuedToken;
    expect(child.sys.space).toEqual(spaceLink(home));
    expectContentfulError(
      await mint(bearer(token), { name: 'escape', scopes: ['content_management_manage'], space: spaceLink(second) }),
      404,
      'NotFound',
    );
    expectContentfulError(await request(api.baseUrl).get(`/spaces/${second}`).set(bearer(child.token)), 404, 'NotFound');
  });

  it('refuses to bind a token to a space its user cannot see, as if it did not exist', async () => {
    expectContentfulError(
      await mint(owner.auth, { name: 'x', scopes: ['content_management_manage'], space: spaceLink(strangers) }),
      404,
      'NotFound',
    );
    expectContentfulError(
      await mint(owner.auth, { name: 'x', scopes: ['content_management_manage'], space: spaceLink('no-such-space') }),
      404,
      'NotFound',
    );
    // The administrator binds a user's token only to a space that user can see.
    expectContentfulError(
      await mint(
        adminAuth,
        { name: 'x', scopes: ['content_management_manage'], space: spaceLink(strangers) },
        `/users/${owner.id}/access_tokens`,
      ),
      404,
      'NotFound',
    );
    await mint(
      adminAuth,
      { name: 'x', scopes: ['content_management_manage'], space: spaceLink(home) },
      `/users/${owner.id}/access_tokens`,
    ).expect(201);
  });

  it('refuses an administrator’s bound token on administration routes (403)', async () => {
    // An administrator of its own (the seeded one's tokens are counted by the auth suite).
    const created = await request(api.baseUrl)
      .post('/users')
      .set(adminAuth)
      .set('Content-Type', JSON_TYPE)
      .send({ email: `${uniqueName('admin')}@tests.hangar.local`, admin: true })
      .expect(201);
    const adminId = (created.body as { sys: { id: string } }).sys.id;
    const adminSpace = await newSpace(api.baseUrl, { auth: adminAuth });
    const { token } = (
      await mint(
        adminAuth,
        { name: 'bound', scopes: ['content_management_manage'], space: spaceLink(adminSpace) },
        `/users/${adminId}/access_tokens`,
      )
    ).body as IssuedToken;
    expectContentfulError(
      await request(api.baseUrl).post('/users').set(bearer(token)).set('Content-Type', JSON_TYPE).send({ email: 'x@tests.hangar.local' }),
      403,
      'AccessDenied',
    );
    // An administrator's bound token sees its space only, too.
    expectContentfulError(await request(api.baseUrl).get(`/spaces/${home}`).set(bearer(token)), 404, 'NotFound');
  });

  it('lets browsers send X-Hangar-Space and Comapi’s cache-control (CORS preflight)', async () => {
    const preflight = await request(api.baseUrl)
      .options('/content/docs/a.txt')
      .set('Origin', 'https://portal.example.com')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,x-hangar-space,cache-control');
    expect(preflight.status).toBeLessThan(300);
    const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase().split(',');
    expect(allowed).toEqual(expect.arrayContaining(['x-hangar-space', 'cache-control']));
  });
});
