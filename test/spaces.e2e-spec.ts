import { createClient } from 'contentful-management';
import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { expectContentfulError } from './support/contentful-shape';
import { addLocale, JSON_TYPE, newSpace, newUser, type TestUser, uniqueName } from './support/factories';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('spaces, environments and locales', () => {
  let api: RunningApi;
  let user: TestUser;

  beforeAll(async () => {
    api = await startApi();
    user = await newUser(api.baseUrl);
  });
  afterAll(async () => {
    await api.close();
  });

  it('creates a space with the Contentful shape', async () => {
    const name = uniqueName('space');
    const response = await request(api.baseUrl).post('/spaces').set(user.auth).set('Content-Type', JSON_TYPE).send({ name }).expect(201);
    expect(response.headers['content-type']).toMatch(/^application\/vnd\.contentful\.management\.v1\+json/);
    expect(response.body).toEqual({
      sys: {
        type: 'Space',
        id: expect.stringMatching(/^[A-Za-z0-9]{22}$/),
        version: 1,
        createdAt: expect.stringMatching(ISO_DATE),
        updatedAt: expect.stringMatching(ISO_DATE),
        createdBy: { sys: { type: 'Link', linkType: 'User', id: user.id } },
      },
      name,
    });
    const fetched = await request(api.baseUrl).get(`/spaces/${response.body.sys.id}`).set(user.auth).expect(200);
    expect(fetched.body).toEqual(response.body);
  });

  it('gives every space a master environment with default locale en-US', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const environments = await request(api.baseUrl).get(`/spaces/${spaceId}/environments`).set(user.auth).expect(200);
    expect(environments.body).toMatchObject({
      sys: { type: 'Array' },
      total: 1,
      items: [{ sys: { type: 'Environment', id: 'master' }, name: 'master' }],
    });
    const master = await request(api.baseUrl).get(`/spaces/${spaceId}/environments/master`).set(user.auth).expect(200);
    expect(master.body.sys).toMatchObject({
      space: { sys: { type: 'Link', linkType: 'Space', id: spaceId } },
      status: { sys: { type: 'Link', linkType: 'Status', id: 'ready' } },
    });
    const locales = await request(api.baseUrl).get(`/spaces/${spaceId}/environments/master/locales`).set(user.auth).expect(200);
    expect(locales.body.items).toEqual([
      expect.objectContaining({ code: 'en-US', default: true, fallbackCode: null, sys: expect.objectContaining({ type: 'Locale' }) }),
    ]);
  });

  it('creates the default locale the creator names (defaultLocale), through the SDK as through plain HTTP', async () => {
    const client = createClient({ accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true }, { type: 'plain' });
    // The SDK's types leave defaultLocale out; it sends what it is given, as Contentful documents the field.
    const body = { name: uniqueName('german'), defaultLocale: 'de-DE' };
    const space = await client.space.create({}, body);
    const locales = await client.locale.getMany({ spaceId: space.sys.id, environmentId: 'master', query: {} });
    expect(locales.items).toEqual([
      expect.objectContaining({ code: 'de-DE', name: 'German (Germany)', default: true, fallbackCode: null }),
    ]);
    const refused = await request(api.baseUrl)
      .post('/spaces')
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: uniqueName('bad'), defaultLocale: 'not a locale' });
    expectContentfulError(refused, 422, 'ValidationFailed');
  });

  it('adds an environment with PUT, copying the locales of master, and renames it with the version', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    await addLocale(api.baseUrl, user, spaceId, { name: 'German', code: 'de-DE', fallbackCode: 'en-US' });
    const created = await request(api.baseUrl)
      .put(`/spaces/${spaceId}/environments/staging`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'Staging' })
      .expect(201);
    expect(created.body).toMatchObject({ sys: { type: 'Environment', id: 'staging', version: 1 }, name: 'Staging' });
    const locales = await request(api.baseUrl).get(`/spaces/${spaceId}/environments/staging/locales`).set(user.auth).expect(200);
    expect((locales.body.items as { code: string }[]).map((locale) => locale.code)).toEqual(['en-US', 'de-DE']);

    const stale = await request(api.baseUrl)
      .put(`/spaces/${spaceId}/environments/staging`)
      .set(user.auth)
      .set('X-Contentful-Version', '7')
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'Renamed' });
    expectContentfulError(stale, 409, 'VersionMismatch');
    const renamed = await request(api.baseUrl)
      .put(`/spaces/${spaceId}/environments/staging`)
      .set(user.auth)
      .set('X-Contentful-Version', '1')
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'Renamed' })
      .expect(200);
    expect(renamed.body).toMatchObject({ sys: { version: 2 }, name: 'Renamed' });

    const badId = await request(api.baseUrl)
      .put(`/spaces/${spaceId}/environments/${encodeURIComponent('bad id!')}`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'x' });
    expectContentfulError(badId, 400, 'BadRequest');
    const badVersion = await request(api.baseUrl)
      .put(`/spaces/${spaceId}/environments/staging`)
      .set(user.auth)
      .set('X-Contentful-Version', 'seven')
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'x' });
    expectContentfulError(badVersion, 400, 'BadRequest');
  });

  it('refuses a duplicate locale code and an unknown fallback with 422', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const response = await request(api.baseUrl)
      .post(`/spaces/${spaceId}/environments/master/locales`)
      .set(user.auth)
      .set('Content-Type', JSON_TYPE)
      .send({ name: 'Again', code: 'en-US', fallbackCode: 'xx-XX' });
    expectContentfulError(response, 422, 'ValidationFailed');
    expect(response.body.details.errors).toEqual([
      { name: 'taken', path: ['code'], details: expect.any(String) },
      { name: 'in', path: ['fallbackCode'], details: expect.any(String) },
    ]);
    expectContentfulError(await request(api.baseUrl).get(`/spaces/${spaceId}/environments/nope/locales`).set(user.auth), 404, 'NotFound');
  });

  describe('with the official contentful-management SDK', () => {
    const sdkOptions = () => ({ accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true });

    it('works through the plain client: create a space, read master, create and list locales', async () => {
      const client = createClient(sdkOptions(), { type: 'plain' });
      const space = await client.space.create({}, { name: uniqueName('sdk-plain') });
      expect(space.sys.type).toBe('Space');
      const environment = await client.environment.get({ spaceId: space.sys.id, environmentId: 'master' });
      expect(environment.sys.id).toBe('master');
      const locale = await client.locale.create(
        { spaceId: space.sys.id, environmentId: 'master' },
        { name: 'French', code: 'fr-FR', fallbackCode: 'en-US', optional: true, contentDeliveryApi: true, contentManagementApi: true },
      );
      expect(locale).toMatchObject({ code: 'fr-FR', fallbackCode: 'en-US', optional: true, default: false });
      const locales = await client.locale.getMany({ spaceId: space.sys.id, environmentId: 'master', query: {} });
      expect(locales.items.map((item) => item.code)).toEqual(['en-US', 'fr-FR']);
    });

    it('works through the legacy client: getSpace, getEnvironment, createLocale, getLocales', async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      // The SDK warns that its legacy client is deprecated; it is still what many integrations use.
      jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const client = createClient(sdkOptions(), { type: 'legacy' });
      const space = await client.getSpace(spaceId);
      expect(space.name).toEqual(expect.any(String));
      const environment = await space.getEnvironment('master');
      const locale = await environment.createLocale({ name: 'German', code: 'de-DE', fallbackCode: 'en-US' });
      expect(locale.code).toBe('de-DE');
      const locales = await environment.getLocales();
      expect(locales.items.map((item) => item.code)).toEqual(['en-US', 'de-DE']);
      const staging = await space.createEnvironmentWithId('staging', { name: 'Staging' });
      expect(staging.sys.id).toBe('staging');
    });

    it('surfaces our errors as the SDK expects them', async () => {
      const client = createClient(sdkOptions());
      await expect(client.space.get({ spaceId: 'doesNotExist0000000000' })).rejects.toMatchObject({ name: 'NotFound' });
    });
  });
});
