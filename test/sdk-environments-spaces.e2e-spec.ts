import { type ClientAPI, createClient, type Environment, type Space } from 'contentful-management';
import { type RunningApi, startApi } from './support/api-harness';
import { newUser, type TestUser, uniqueName } from './support/factories';

/**
 * contentful-management.js's own integration tests for environments, locales and spaces, ported: their calls and
 * assertions as written, with setup changed to a Hangar api (host, insecure, a fresh space per suite, no
 * organization — Hangar has none) and the fixed waits and rate-limit pauses dropped.
 * Sources (contentful/contentful-management.js):
 * - test/integration/environment-integration.test.ts @ 08ddb7b02511240b9ed70d8cd8c1e10dae8ef82a (the tests that need
 *   an app installed in an organization are out of scope);
 * - test/integration/locale-integration.test.ts @ 10d51e9eab7dc6d26cbaff1c074877dbae326b02;
 * - test/integration/space-integration.test.ts @ 1941f86a6c8187a06c1554af78f09cdf5715e082 ("crates and deletes a
 *   space"; organization users are out of scope).
 */
describe('contentful-management integration tests (environments, locales, spaces)', () => {
  let api: RunningApi;
  let user: TestUser;
  let client: ClientAPI;

  beforeAll(async () => {
    api = await startApi();
    user = await newUser(api.baseUrl);
    // The SDK warns that its legacy client is deprecated; its own integration tests use it.
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    client = createClient({ accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true }, { type: 'legacy' });
  });
  afterAll(async () => {
    await api.close();
  });

  /** What @contentful/integration-test-utils' createTestSpace does, without an organization. */
  const createTestSpace = (suite: string) => client.createSpace({ name: uniqueName(`CMA JS ${suite}`) }, '');

  /** @contentful/integration-test-utils' waitForEnvironmentToBeReady: polls the environment until its status is ready. */
  async function waitForEnvironmentToBeReady(space: Space, environment: Environment): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const current = await space.getEnvironment(environment.sys.id);
      if (current.sys.status.sys.id === 'ready') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`environment ${environment.sys.id} never became ready`);
  }

  describe('Environment Api', () => {
    let space: Space;

    beforeAll(async () => {
      space = await createTestSpace('Environment');
    });
    afterAll(async () => {
      await space.delete();
    });

    test('creates an environment', async () => {
      const envName = 'test-env';
      const environment = await space.createEnvironment({ name: envName });
      await waitForEnvironmentToBeReady(space, environment);
      expect(environment.sys.type).toBe('Environment');
      expect(environment.name).toBe(envName);
    });

    test('creates an environment with an id', async () => {
      const envName = 'env-name';
      const envId = `env${Math.random().toString(36).slice(2, 10)}`;
      const environment = await space.createEnvironmentWithId(envId, { name: envName });
      await waitForEnvironmentToBeReady(space, environment);
      expect(environment.sys.type).toBe('Environment');
      expect(environment.name).toBe(envName);
      expect(environment.sys.id).toBe(envId);
    });
  });

  describe('Locale API', () => {
    let space: Space;
    let environment: Environment;

    beforeAll(async () => {
      space = await createTestSpace('Locale');
      // @contentful/integration-test-utils' createTestEnvironment: an environment with an id of its own.
      environment = await space.createEnvironmentWithId(`test${Math.random().toString(36).slice(2, 10)}`, { name: 'Test' });
      await waitForEnvironmentToBeReady(space, environment);
    });
    afterAll(async () => {
      await space.delete();
    });

    it('Gets locales', async () => {
      const response = await environment.getLocales();
      expect(response.items[0]?.name).toBe('English (United States)');
      expect(response.items[0]?.code).toBe('en-US');
    });

    it('Gets locales respects skip', async () => {
      const response = await environment.getLocales({ skip: 1 });
      expect(response.items.length).toEqual(0);
    });

    it('Creates, gets, updates, and deletes a locale', async () => {
      const createdLocale = await environment.createLocale({ name: 'German (Austria)', code: 'de-AT', fallbackCode: null });
      expect(createdLocale.code).toBe('de-AT');
      const fetchedLocale = await environment.getLocale(createdLocale.sys.id);
      expect(fetchedLocale.code).toBe('de-AT');
      fetchedLocale.name = 'Deutsch (Österreich)';
      fetchedLocale.fallbackCode = 'en-US';
      const updatedLocale = await fetchedLocale.update();
      expect(updatedLocale.name).toBe('Deutsch (Österreich)');
      expect(updatedLocale.fallbackCode).toBe('en-US');
      await updatedLocale.delete();
    });

    it('Creates, gets page (respects limit), deletes a locale', async () => {
      const createdLocal = await environment.createLocale({
        name: 'Chinese (Simplified, China)',
        code: 'zh-Hans-CN',
        fallbackCode: 'en-US',
      });
      const pagedLocales = await environment.getLocales({ limit: 1 });
      expect(pagedLocales.items.length).toEqual(1);
      expect(pagedLocales.total).toEqual(2);
      await createdLocal.delete();
    });
  });

  describe('Space API', () => {
    it('crates and deletes a space', async () => {
      const created = await client.createSpace({ name: 'test space', defaultLocale: 'en' }, '');
      expect(created.name).toEqual('test space');
      const space = await client.getSpace(created.sys.id);
      await space.delete();
      await expect(client.getSpace(created.sys.id)).rejects.toMatchObject({ name: 'NotFound' });
    });
  });
  // The same calls and assertions through the plain client (the issue runs every port with both clients).
  describe('with the plain client', () => {
    let plain: ReturnType<typeof createPlainClient>;
    let spaceId: string;
    const createPlainClient = () =>
      createClient({ accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true }, { type: 'plain' });

    beforeAll(async () => {
      plain = createPlainClient();
      spaceId = (await plain.space.create({}, { name: uniqueName('CMA JS plain') })).sys.id;
    });
    afterAll(async () => {
      await plain.space.delete({ spaceId });
    });

    test('creates an environment, and one with an id; each becomes ready', async () => {
      const environment = await plain.environment.create({ spaceId }, { name: 'test-env' });
      expect(environment.sys.type).toBe('Environment');
      expect(environment.name).toBe('test-env');
      const envId = `env${Math.random().toString(36).slice(2, 10)}`;
      const withId = await plain.environment.createWithId({ spaceId, environmentId: envId }, { name: 'env-name' });
      expect(withId.sys.id).toBe(envId);
      expect(withId.name).toBe('env-name');
      for (const id of [environment.sys.id, envId]) {
        expect((await plain.environment.get({ spaceId, environmentId: id })).sys.status.sys.id).toBe('ready');
      }
    });

    test('gets locales (with skip), creates, updates, pages and deletes locales', async () => {
      const environmentId = 'master';
      const response = await plain.locale.getMany({ spaceId, environmentId, query: {} });
      expect(response.items[0]?.name).toBe('English (United States)');
      expect(response.items[0]?.code).toBe('en-US');
      expect((await plain.locale.getMany({ spaceId, environmentId, query: { skip: 1 } })).items.length).toEqual(0);

      const created = await plain.locale.create(
        { spaceId, environmentId },
        { name: 'German (Austria)', code: 'de-AT', fallbackCode: null },
      );
      expect(created.code).toBe('de-AT');
      const fetched = await plain.locale.get({ spaceId, environmentId, localeId: created.sys.id });
      expect(fetched.code).toBe('de-AT');
      const updated = await plain.locale.update(
        { spaceId, environmentId, localeId: created.sys.id },
        { ...fetched, name: 'Deutsch (Österreich)', fallbackCode: 'en-US' },
      );
      expect(updated.name).toBe('Deutsch (Österreich)');
      expect(updated.fallbackCode).toBe('en-US');
      const paged = await plain.locale.getMany({ spaceId, environmentId, query: { limit: 1 } });
      expect(paged.items.length).toEqual(1);
      expect(paged.total).toEqual(2);
      await plain.locale.delete({ spaceId, environmentId, localeId: created.sys.id });
      expect((await plain.locale.getMany({ spaceId, environmentId, query: {} })).total).toEqual(1);
    });

    test('creates and deletes a space', async () => {
      const created = await plain.space.create({}, { name: 'test space' });
      expect(created.name).toEqual('test space');
      await plain.space.delete({ spaceId: created.sys.id });
      await expect(plain.space.get({ spaceId: created.sys.id })).rejects.toMatchObject({ name: 'NotFound' });
    });
  });
});
