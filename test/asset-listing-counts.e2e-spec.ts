import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, fileField, processLocale, uploadBytes, waitForProcessing } from './support/assets';
import { JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';
import { startWorker } from './support/worker-harness';

/**
 * The listings' `total` without a filter comes from counts PostgreSQL keeps (AssetCount, FolderCount); these tests
 * change rows in every way that moves a count and compare each total with what the test itself made. The default
 * view's items are rendered by PostgreSQL (libs/assets asset-json.ts): they must be the entities the api builds.
 */
describe('Listing totals and rendered pages', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let db: PrismaService;

  beforeAll(async () => {
    api = await startApi({ PUBLIC_BASE_URL: 'http://media.test:3000' });
    worker = await startWorker({ PUBLIC_BASE_URL: 'http://media.test:3000' });
    user = await newUser(api.baseUrl);
    db = api.app.get(PrismaService);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const get = (path: string) => request(api.baseUrl).get(path).set(user.auth).expect(200);

  describe('assets', () => {
    let c: AssetClient;
    const base = () => `/spaces/${c.spaceId}/environments/${c.environmentId ?? 'master'}`;
    const totals = async () => ({
      management: (await get(`${base()}/assets?limit=1`)).body.total as number,
      published: (await get(`${base()}/public/assets?limit=1`)).body.total as number,
    });
    const change = (method: 'put' | 'delete', id: string, suffix: string, version?: number) => {
      const call = request(api.baseUrl)[method](`${base()}/assets/${id}${suffix}`).set(user.auth);
      return version === undefined ? call : call.set('X-Contentful-Version', String(version));
    };
    const createEnvironment = (id: string) =>
      request(api.baseUrl)
        .put(`/spaces/${c.spaceId}/environments/${id}`)
        .set(user.auth)
        .set('Content-Type', JSON_TYPE)
        .send({ name: id })
        .expect(201);
    /** A processed asset, ready to publish; its version. */
    const processed = async (title: string) => {
      const created = await createAsset(c, {
        title: { 'en-US': title },
        file: { 'en-US': fileField(await uploadBytes(c, await makeImage(6, 6)), `${title}.png`) },
      }).expect(201);
      const id = created.body.sys.id as string;
      await processLocale(c, id, 'en-US', 1).expect(204);
      const { body } = await waitForProcessing(c, id, 'en-US');
      return { id, version: body.sys.version };
    };

    beforeAll(async () => {
      const spaceId = await newSpace(api.baseUrl, user);
      c = { baseUrl: api.baseUrl, auth: user.auth, spaceId, environmentId: 'counted' };
      await createEnvironment('counted');
    });

    it('counts creation, publishing, unpublishing, archiving and deletion exactly, in the environment they happen in', async () => {
      expect(await totals()).toEqual({ management: 0, published: 0 });
      const a = await processed('a');
      const b = await processed('b');
      const draft = await createAsset(c, { title: { 'en-US': 'draft' } }).expect(201);
      expect(await totals()).toEqual({ management: 3, published: 0 });

      await change('put', a.id, '/published', a.version).expect(200);
      await change('put', b.id, '/published', b.version).expect(200);
      expect(await totals()).toEqual({ management: 3, published: 2 });
      // Publishing again (a new published version) moves no count.
      await change('put', a.id, '/published', a.version + 1).expect(200);
      expect(await totals()).toEqual({ management: 3, published: 2 });

      await change('delete', b.id, '/published').expect(200);
      expect(await totals()).toEqual({ management: 3, published: 1 });
      await change('put', b.id, '/archived').expect(200);
      expect(await totals()).toEqual({ management: 3, published: 1 });
      await change('delete', b.id, '/archived').expect(200);
      await change('delete', draft.body.sys.id as string, '').expect(204);
      expect(await totals()).toEqual({ management: 2, published: 1 });

      // master, in the same space, counts only its own.
      expect((await get(`/spaces/${c.spaceId}/assets?limit=1`)).body.total).toBe(0);
      // A filter counts the rows it matches (count(*)), and agrees.
      const filtered = await get(`${base()}/assets?sys.id[in]=${a.id},${b.id},nothing&limit=1`);
      expect(filtered.body.total).toBe(2);
      const publishedFiltered = await get(`${base()}/public/assets?sys.id[in]=${a.id},${b.id}&limit=1`);
      expect(publishedFiltered.body.total).toBe(1);
    });

    it('drops the counts with a deleted environment: one made again with the same id starts from none', async () => {
      await createEnvironment('doomed');
      const doomed = { ...c, environmentId: 'doomed' };
      for (const title of ['x', 'y']) await createAsset(doomed, { title: { 'en-US': title } }).expect(201);
      await request(api.baseUrl).delete(`/spaces/${c.spaceId}/environments/doomed`).set(user.auth).expect(204);
      expect(await db.assetCount.count({ where: { spaceId: c.spaceId, environmentId: 'doomed' } })).toBe(0);

      await createEnvironment('doomed');
      await createAsset(doomed, { title: { 'en-US': 'again' } }).expect(201);
      const total = (await get(`/spaces/${c.spaceId}/environments/doomed/assets?limit=1`)).body.total as number;
      expect(total).toBe(1);
    });

    it('renders each asset in the default view as the api builds it, in both collections and with cursors', async () => {
      const { id: publishedId, version } = await processed('rendered');
      await change('put', publishedId, '/published', version).expect(200);
      // A draft moved on since it was published, and one whose processing failed.
      const failed = await createAsset(c, {
        title: { 'en-US': 'broken' },
        file: { 'en-US': fileField(await uploadBytes(c, Buffer.from('not an image')), 'broken.png') },
      }).expect(201);
      await processLocale(c, failed.body.sys.id as string, 'en-US', 1).expect(204);
      await waitForProcessing(c, failed.body.sys.id as string, 'en-US');
      await change('put', publishedId, '', version + 1)
        .set('Content-Type', JSON_TYPE)
        .send({ fields: { title: { 'en-US': 'renamed' }, description: { 'en-US': 'a "quoted" ünïcode \\ text' } } })
        .expect(200);

      for (const collection of ['assets', 'public/assets']) {
        // `select` of every part goes through the api's own entities (asset-entity.ts); the default view does not.
        const built = await get(`${base()}/${collection}?limit=1000&select=sys,fields,metadata`);
        const rendered = await get(`${base()}/${collection}?limit=1000`);
        expect(rendered.headers['content-type']).toMatch(/^application\/json/);
        expect(rendered.body).toEqual(built.body);
        const cursor = await get(`${base()}/${collection}?cursor=true&limit=2`);
        const builtCursor = await get(`${base()}/${collection}?cursor=true&limit=2&select=sys,fields,metadata`);
        expect(cursor.body.items).toEqual(builtCursor.body.items);
        expect(Object.keys(cursor.body)).toEqual(['sys', 'limit', 'items', 'pages']);
      }
      // And as the single asset reads show them.
      const rendered = await get(`${base()}/assets?limit=1000`);
      for (const item of rendered.body.items as { sys: { id: string } }[]) {
        expect(item).toEqual((await get(`${base()}/assets/${item.sys.id}`)).body);
      }
    });
  });

  describe('folders', () => {
    let spaceId: string;
    const OCTET = { 'Content-Type': 'application/octet-stream' };
    const put = (path: string, body = 'x') =>
      request(api.baseUrl).put(`/spaces/${spaceId}/files/${path}`).set(user.auth).set(OCTET).send(Buffer.from(body));
    const listing = async (path: string, query = '') =>
      (await get(`/spaces/${spaceId}/folders${path}${query}`)).body as { total: number; items: { name: string }[] };
    const names = (body: { items: { name: string }[] }) => body.items.map((item) => item.name);

    beforeAll(async () => {
      spaceId = await newSpace(api.baseUrl, user);
    });

    it('counts files and subfolders exactly through writes, new versions, deletions and moves', async () => {
      for (const name of ['f1.txt', 'f2.txt', 'f3.txt']) await put(`a/${name}`).expect(201);
      await put('a/b/deep.txt').expect(201);
      await request(api.baseUrl).put(`/spaces/${spaceId}/folders/a/c`).set(user.auth).expect(201);
      expect((await listing('/a')).total).toBe(5);
      expect((await listing('')).total).toBe(1);
      expect((await listing('/a/b')).total).toBe(1);

      await put('a/f1.txt', 'second version').expect(200);
      expect((await listing('/a')).total).toBe(5);

      await request(api.baseUrl).delete(`/spaces/${spaceId}/files/a/f2.txt`).set(user.auth).expect(204);
      await request(api.baseUrl).delete(`/spaces/${spaceId}/folders/a/c`).set(user.auth).expect(204);
      expect((await listing('/a')).total).toBe(3);
      // The last file of an implicit folder takes the folder with it.
      await request(api.baseUrl).delete(`/spaces/${spaceId}/files/a/b/deep.txt`).set(user.auth).expect(204);
      expect((await listing('/a')).total).toBe(2);

      // No route moves a file; a row moved between folders by hand moves its count too.
      await put('d/kept.txt').expect(201);
      await db.$executeRaw`UPDATE "File" SET "folder" = 'd', "path" = 'd/f3.txt' WHERE "spaceId" = ${spaceId} AND "path" = 'a/f3.txt'`;
      expect((await listing('/a')).total).toBe(1);
      expect((await listing('/d')).total).toBe(2);
      expect(names(await listing('/d'))).toEqual(['f3.txt', 'kept.txt']);
    });

    it('pages subfolders first, then files, at any skip', async () => {
      for (const name of ['p/s1/x.txt', 'p/s2/x.txt', 'p/g1.txt', 'p/g2.txt', 'p/g3.txt']) await put(name).expect(201);
      expect(names(await listing('/p'))).toEqual(['s1', 's2', 'g1.txt', 'g2.txt', 'g3.txt']);
      expect(names(await listing('/p', '?limit=2'))).toEqual(['s1', 's2']);
      expect(names(await listing('/p', '?skip=1&limit=2'))).toEqual(['s2', 'g1.txt']);
      expect(names(await listing('/p', '?skip=3&limit=5'))).toEqual(['g2.txt', 'g3.txt']);
      expect(names(await listing('/p', '?skip=5'))).toEqual([]);
      expect((await listing('/p', '?skip=3&limit=5')).total).toBe(5);
    });

    it('drops every count of a deleted space', async () => {
      const doomed = await newSpace(api.baseUrl, user);
      await request(api.baseUrl).put(`/spaces/${doomed}/files/q/one.txt`).set(user.auth).set(OCTET).send(Buffer.from('1')).expect(201);
      await request(api.baseUrl)
        .post(`/spaces/${doomed}/environments/master/assets`)
        .set(user.auth)
        .set('Content-Type', JSON_TYPE)
        .send({ fields: {} })
        .expect(201);
      expect(await db.folderCount.count({ where: { spaceId: doomed } })).toBeGreaterThan(0);
      expect(await db.assetCount.count({ where: { spaceId: doomed } })).toBeGreaterThan(0);
      await request(api.baseUrl).delete(`/spaces/${doomed}`).set(user.auth).expect(204);
      expect(await db.folderCount.count({ where: { spaceId: doomed } })).toBe(0);
      expect(await db.assetCount.count({ where: { spaceId: doomed } })).toBe(0);
    });
  });
});
