import type { INestApplicationContext } from '@nestjs/common';
import { createClient, type Environment, type PlainClientAPI } from 'contentful-management';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { type RunningApi, startApi } from './support/api-harness';
import { type AssetClient, createAsset, deliveryPathOf, fileField, uploadBytes, waitForProcessing } from './support/assets';
import { expectContentfulError } from './support/contentful-shape';
import { addLocale, JSON_TYPE, newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';
import { startWorker } from './support/worker-harness';

/**
 * Issue 12 items 4–7: the published-assets collection, cursor pagination,
 * `order[0]=…` and `locale`/`select` on asset reads.
 *
 * The "Asset API - Read" suite is ported from contentful-management.js
 * test/integration/asset-integration.test.ts at commit
 * 0e2d47c361111a6ec8ef1db6128e4e6b6ebf211f with its assertions kept; only its
 * setup changed (host/insecure, a fresh space whose assets this file makes:
 * six images, five published). It runs with the legacy client as written and
 * with the plain client. Around it, assertions on values this file knows
 * independently: the creation order of the assets, the titles it wrote.
 */
describe('asset collections through the SDK (issue 12 items 4–7)', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let spaceId: string;
  /** The assets of the read space, oldest first; all but the last published. */
  const created: string[] = [];

  const options = () => ({ accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true, retryOnError: false });
  const client = (space: string): AssetClient => ({ baseUrl: api.baseUrl, auth: user.auth, spaceId: space });
  const get = (path: string) => request(api.baseUrl).get(path).set(user.auth);

  /** A processed image asset, published unless told otherwise; returns its id and its latest version. */
  async function newAsset(
    space: string,
    title: Record<string, string>,
    publish = true,
  ): Promise<{ id: string; version: number; bytes: Buffer }> {
    const c = client(space);
    const bytes = await makeImage(4 + created.length, 3);
    const upload = await uploadBytes(c, bytes);
    const made = await createAsset(c, { title, file: { 'en-US': fileField(upload) } }).expect(201);
    const id = (made.body as { sys: { id: string } }).sys.id;
    await request(api.baseUrl)
      .put(`/spaces/${space}/environments/master/assets/${id}/files/en-US/process`)
      .set(user.auth)
      .set('X-Contentful-Version', '1')
      .expect(204);
    const processed = await waitForProcessing(c, id, 'en-US');
    let version = processed.body.sys.version;
    if (publish) {
      const published = await request(api.baseUrl)
        .put(`/spaces/${space}/environments/master/assets/${id}/published`)
        .set(user.auth)
        .set('X-Contentful-Version', String(version))
        .expect(200);
      version = (published.body as { sys: { version: number } }).sys.version;
    }
    return { id, version, bytes };
  }

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker();
    user = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, user);
    await addLocale(api.baseUrl, user, spaceId, { name: 'German (Germany)', code: 'de-DE', fallbackCode: 'en-US' });
    await addLocale(api.baseUrl, user, spaceId, { name: 'German (Switzerland)', code: 'de-CH', fallbackCode: 'de-DE' });
    for (let index = 0; index < 6; index += 1) {
      const title: Record<string, string> = index === 0 ? { 'en-US': 'Asset 0', 'de-DE': 'Bild 0' } : { 'en-US': `Asset ${index}` };
      created.push((await newAsset(spaceId, title, index < 5)).id);
    }
  }, 60_000);
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const legacyEnvironment = async (): Promise<Environment> => {
    jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const legacy = createClient(options(), { type: 'legacy' });
    return (await legacy.getSpace(spaceId)).getEnvironment('master');
  };

  describe('ported: Asset API - Read (legacy client)', () => {
    let environment: Environment;
    beforeAll(async () => {
      environment = await legacyEnvironment();
    });

    test('Gets assets with only images', async () => {
      const response = await environment.getAssets({ mimetype_group: 'image' });
      expect(response.items[0]?.fields.file['en-US']?.contentType).toMatch(/image/);
    });

    test('Gets asset', async () => {
      const response = await environment.getAsset(created[0] ?? '');
      expect(response.sys).toBeTruthy();
      expect(response.fields).toBeTruthy();
    });

    test('Gets assets', async () => {
      const response = await environment.getAssets();
      expect(response.items).toBeTruthy();
    });

    describe('Gets assets with cursor pagination', () => {
      test('gets assets with cursor pagination with items', async () => {
        const response = await environment.getAssetsWithCursor();
        expect(response.items).toBeTruthy();
      });

      test('returns a cursor paginated asset collection when no query is provided', async () => {
        const response = await environment.getAssetsWithCursor();
        expect(response.items).not.toHaveLength(0);
        expect(response.pages).toBeDefined();
        expect((response as { total?: number }).total).toBeUndefined();
        response.items.forEach((item) => {
          expect(item.sys.type).toEqual('Asset');
          expect(item.fields).toBeDefined();
        });
      });

      test('returns [limit] number of items', async () => {
        const response = await environment.getAssetsWithCursor({ limit: 3 });
        expect(response.items).toHaveLength(3);
        expect(response.pages).toBeDefined();
        expect((response as { total?: number }).total).toBeUndefined();
        response.items.forEach((item) => {
          expect(item.sys.type).toEqual('Asset');
          expect(item.fields).toBeDefined();
        });
      });

      test('supports forward pagination', async () => {
        const firstPage = await environment.getAssetsWithCursor({ limit: 2 });
        const secondPage = await environment.getAssetsWithCursor({ limit: 2, pageNext: firstPage?.pages?.next });
        expect(secondPage.items).toHaveLength(2);
        expect(firstPage.items[0]?.sys.id).not.toEqual(secondPage.items[0]?.sys.id);
      });

      test('should support backward pagination', async () => {
        const firstPage = await environment.getAssetsWithCursor({ limit: 2, order: ['sys.createdAt'] });
        const secondPage = await environment.getAssetsWithCursor({ limit: 2, pageNext: firstPage?.pages?.next, order: ['sys.createdAt'] });
        const result = await environment.getAssetsWithCursor({ limit: 2, pagePrev: secondPage?.pages?.prev, order: ['sys.createdAt'] });
        expect(result.items).toHaveLength(2);
        firstPage.items.forEach((item, index) => {
          expect(item.sys.id).toEqual(result.items[index]?.sys.id);
        });
        // Hangar: the oldest two, in creation order.
        expect(firstPage.items.map((item) => item.sys.id)).toEqual(created.slice(0, 2));
      });
    });

    test('Gets published assets', async () => {
      const response = await environment.getPublishedAssets();
      expect(response.items).toBeTruthy();
      // Hangar: the five published ones, the unpublished one not.
      expect(response.items.map((item) => item.sys.id).sort()).toEqual(created.slice(0, 5).sort());
    });

    describe('Gets published assets with cursor pagination', () => {
      test('gets published assets with cursor pagination with items', async () => {
        const response = await environment.getPublishedAssetsWithCursor();
        expect(response.items).toBeTruthy();
      });

      test('returns a cursor paginated published asset collection when no query is provided', async () => {
        const response = await environment.getPublishedAssetsWithCursor();
        expect(response.items).not.toHaveLength(0);
        expect(response.pages).toBeDefined();
        expect((response as { total?: number }).total).toBeUndefined();
        response.items.forEach((item) => {
          expect(item.sys.type).toEqual('Asset');
          expect(item.fields).toBeDefined();
        });
      });

      test('returns [limit] number of items', async () => {
        const response = await environment.getPublishedAssetsWithCursor({ limit: 3 });
        expect(response.items).toHaveLength(3);
        expect(response.pages).toBeDefined();
        expect((response as { total?: number }).total).toBeUndefined();
        response.items.forEach((item) => {
          expect(item.sys.type).toEqual('Asset');
          expect(item.fields).toBeDefined();
        });
      });

      test('supports forward pagination', async () => {
        const firstPage = await environment.getPublishedAssetsWithCursor({ limit: 2 });
        const secondPage = await environment.getPublishedAssetsWithCursor({ limit: 2, pageNext: firstPage?.pages?.next });
        expect(secondPage.items).toHaveLength(2);
        expect(firstPage.items[0]?.sys.id).not.toEqual(secondPage.items[0]?.sys.id);
      });

      // Upstream's test of the same name pages getAssetsWithCursor (kept); the published collection is paged the same way below.
      test('should support backward pagination', async () => {
        const firstPage = await environment.getAssetsWithCursor({ limit: 2, order: ['sys.createdAt'] });
        const secondPage = await environment.getAssetsWithCursor({ limit: 2, pageNext: firstPage?.pages?.next, order: ['sys.createdAt'] });
        const result = await environment.getAssetsWithCursor({ limit: 2, pagePrev: secondPage?.pages?.prev, order: ['sys.createdAt'] });
        expect(result.items).toHaveLength(2);
        firstPage.items.forEach((item, index) => {
          expect(item.sys.id).toEqual(result.items[index]?.sys.id);
        });
      });

      test('backward pagination of the published collection itself', async () => {
        const firstPage = await environment.getPublishedAssetsWithCursor({ limit: 2, order: ['sys.createdAt'] });
        const secondPage = await environment.getPublishedAssetsWithCursor({
          limit: 2,
          pageNext: firstPage?.pages?.next,
          order: ['sys.createdAt'],
        });
        const result = await environment.getPublishedAssetsWithCursor({
          limit: 2,
          pagePrev: secondPage?.pages?.prev,
          order: ['sys.createdAt'],
        });
        expect(result.items.map((item) => item.sys.id)).toEqual(created.slice(0, 2));
        expect(secondPage.items.map((item) => item.sys.id)).toEqual(created.slice(2, 4));
      });
    });

    test('select through the SDK (which adds sys) projects every item', async () => {
      const response = await environment.getAssets({ select: 'fields.title', order: 'sys.createdAt' });
      expect(response.items).toHaveLength(6);
      expect(Object.keys(response.items[0]?.toPlainObject() ?? {}).sort()).toEqual(['fields', 'sys']);
      expect(response.items[0]?.fields).toEqual({ title: { 'en-US': 'Asset 0', 'de-DE': 'Bild 0' } });
    });
  });

  describe('ported: Asset API - Read (plain client)', () => {
    let plain: PlainClientAPI;
    beforeAll(() => {
      plain = createClient(options(), { type: 'plain', defaults: { spaceId, environmentId: 'master' } });
    });

    test('Gets assets with only images, an asset, assets and published assets', async () => {
      const images = await plain.asset.getMany({ query: { mimetype_group: 'image' } });
      expect(images.items[0]?.fields.file['en-US']?.contentType).toMatch(/image/);
      const one = await plain.asset.get({ assetId: created[0] ?? '' });
      expect(one.sys).toBeTruthy();
      expect(one.fields).toBeTruthy();
      expect((await plain.asset.getMany({})).items).toBeTruthy();
      const published = await plain.asset.getPublished({});
      expect(published.items.map((item) => item.sys.id).sort()).toEqual(created.slice(0, 5).sort());
    });

    test('cursor pagination: no total, [limit] items, forward and backward', async () => {
      const response = await plain.asset.getManyWithCursor({ query: { limit: 3 } });
      expect(response.items).toHaveLength(3);
      expect(response.pages).toBeDefined();
      expect((response as { total?: number }).total).toBeUndefined();
      // The plain client's types leave `order` out of cursor queries; it sends it (as order[0]) all the same.
      type CursorQuery = Parameters<PlainClientAPI['asset']['getManyWithCursor']>[0]['query'];
      const ordered = (query: Record<string, unknown>) => ({ query: { ...query, order: ['sys.createdAt'] } as CursorQuery });
      const firstPage = await plain.asset.getManyWithCursor(ordered({ limit: 2 }));
      const secondPage = await plain.asset.getManyWithCursor(ordered({ limit: 2, pageNext: firstPage.pages?.next }));
      const result = await plain.asset.getManyWithCursor(ordered({ limit: 2, pagePrev: secondPage.pages?.prev }));
      expect(result.items).toHaveLength(2);
      firstPage.items.forEach((item, index) => expect(item.sys.id).toEqual(result.items[index]?.sys.id));
      expect(secondPage.items.map((item) => item.sys.id)).toEqual(created.slice(2, 4));
    });

    test('published cursor pagination: the plain client has no endpoint for it (SDK 12.18.0); getPublished with cursor=true pages', async () => {
      await expect(plain.asset.getPublishedWithCursor({ query: { limit: 2 } })).rejects.toThrow('Unknown endpoint');
      const first = (await plain.asset.getPublished({ query: { cursor: true, limit: 3, order: 'sys.createdAt' } })) as unknown as {
        items: { sys: { id: string } }[];
        pages: { next?: string; prev?: string };
        total?: number;
      };
      expect(first.total).toBeUndefined();
      expect(first.items.map((item) => item.sys.id)).toEqual(created.slice(0, 3));
      expect(first.pages.prev).toBeUndefined();
      const next = new URL(first.pages.next ?? '', api.baseUrl);
      expect(next.pathname).toBe(`/spaces/${spaceId}/environments/master/public/assets`);
      const second = await get(`${next.pathname}${next.search}`).expect(200);
      expect((second.body as { items: { sys: { id: string } }[] }).items.map((item) => item.sys.id)).toEqual(created.slice(3, 5));
      expect((second.body as { pages: object }).pages).toEqual({ prev: expect.stringContaining('pagePrev=') as string });
    });
  });

  describe('cursor pages over HTTP', () => {
    const base = () => `/spaces/${spaceId}/environments/master/assets`;
    type Page = { items: { sys: { id: string } }[]; pages: { next?: string; prev?: string }; total?: number; skip?: number; limit: number };
    const ids = (page: Page) => page.items.map((item) => item.sys.id);

    it.each([
      ['sys.createdAt', () => created],
      ['-sys.createdAt', () => [...created].reverse()],
      ['-fields.title,sys.createdAt', () => [...created].reverse()],
    ])('walk every asset forwards and back with order=%s, limit 4, 1 and 6', async (order, expected) => {
      for (const limit of [4, 1, 6]) {
        const forward: string[] = [];
        let page = (await get(`${base()}?cursor=true&limit=${limit}&order=${order}`).expect(200)).body as Page;
        expect(page.total).toBeUndefined();
        expect(page.skip).toBeUndefined();
        expect(page.limit).toBe(limit);
        expect(page.pages.prev).toBeUndefined();
        forward.push(...ids(page));
        while (page.pages.next) {
          expect(new URL(page.pages.next, api.baseUrl).searchParams.get('order')).toBe(order);
          page = (await get(page.pages.next).expect(200)).body as Page;
          forward.push(...ids(page));
        }
        expect(forward).toEqual(expected());
        const backward: string[] = [];
        backward.unshift(...ids(page));
        while (page.pages.prev) {
          page = (await get(page.pages.prev).expect(200)).body as Page;
          backward.unshift(...ids(page));
        }
        expect(backward).toEqual(expected());
      }
    });

    it('walk assets ordered by a title some of them lack (NULLs last ascending, first descending), ties broken by id', async () => {
      const space = await newSpace(api.baseUrl, user);
      // Lowercase ids and titles: the same order under any collation.
      const titles: [string, string | undefined][] = [
        ['n1', 'b'],
        ['n2', undefined],
        ['n3', 'a'],
        ['n4', 'b'],
        ['n5', undefined],
        ['n6', 'c'],
        ['n7', 'a'],
        ['n8', undefined],
      ];
      for (const [id, title] of titles) {
        await request(api.baseUrl)
          .put(`/spaces/${space}/environments/master/assets/${id}`)
          .set(user.auth)
          .set('Content-Type', JSON_TYPE)
          .send({ fields: title ? { title: { 'en-US': title } } : {} })
          .expect(201);
      }
      const ascending = ['n3', 'n7', 'n1', 'n4', 'n6', 'n2', 'n5', 'n8'];
      const descending = ['n2', 'n5', 'n8', 'n6', 'n1', 'n4', 'n3', 'n7'];
      for (const [order, expected] of [
        ['fields.title', ascending],
        ['-fields.title', descending],
      ] as const) {
        for (const limit of [1, 2, 3]) {
          const forward: string[] = [];
          let page = (await get(`/spaces/${space}/assets?cursor=true&limit=${limit}&order=${order}`).expect(200)).body as Page;
          forward.push(...ids(page));
          while (page.pages.next) {
            page = (await get(page.pages.next).expect(200)).body as Page;
            forward.push(...ids(page));
          }
          expect(forward).toEqual(expected);
          const backward = ids(page);
          while (page.pages.prev) {
            page = (await get(page.pages.prev).expect(200)).body as Page;
            backward.unshift(...ids(page));
          }
          expect(backward).toEqual(expected);
        }
        // The offset pages agree.
        const offset = (await get(`/spaces/${space}/assets?order=${order}`).expect(200)).body as Page;
        expect(ids(offset)).toEqual(expected);
      }
    });

    it('order[0]=… (the SDK form) orders as order=… does', async () => {
      const indexed = await get(`${base()}?order%5B0%5D=-sys.createdAt`).expect(200);
      expect((indexed.body as Page).items.map((item) => item.sys.id)).toEqual([...created].reverse());
      const two = await get(`${base()}?order%5B1%5D=sys.createdAt&order%5B0%5D=-fields.title`).expect(200);
      expect((two.body as Page).items.map((item) => item.sys.id)).toEqual([...created].reverse());
    });

    it('refuses garbled, edited or foreign tokens with 400 InvalidQuery', async () => {
      const first = (await get(`${base()}?cursor=true&limit=2&order=sys.createdAt`).expect(200)).body as Page;
      const token = new URL(first.pages.next ?? '', api.baseUrl).searchParams.get('pageNext') ?? '';
      const [body = '', tag = ''] = token.split('.');
      const decoded = JSON.parse(Buffer.from(body, 'base64url').toString()) as { k: unknown[] };
      decoded.k[1] = created[5];
      const edited = `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${tag}`;
      for (const query of [
        `pageNext=${encodeURIComponent(token.slice(0, -3))}&order=sys.createdAt`,
        `pageNext=${encodeURIComponent(edited)}&order=sys.createdAt`,
        `pageNext=${encodeURIComponent(token)}&order=-sys.createdAt`,
        `pageNext=${encodeURIComponent(token)}&order=sys.createdAt&fields.title=Asset%200`,
        `pagePrev=${encodeURIComponent(token)}&order=sys.createdAt`,
        'pageNext=%F0%9F%92%A9',
      ]) {
        const response = await get(`${base()}?cursor=true&${query}`);
        expectContentfulError(response, 400, 'InvalidQuery');
      }
      // The same token on the published collection (another collection) is refused too.
      expectContentfulError(
        await get(`/spaces/${spaceId}/public/assets?cursor=true&order=sys.createdAt&pageNext=${encodeURIComponent(token)}`),
        400,
        'InvalidQuery',
      );
    });
  });

  describe('locale and select', () => {
    const asset = () => `/spaces/${spaceId}/environments/master/assets/${created[0]}`;
    type Item = { sys: Record<string, unknown>; fields: Record<string, unknown>; metadata?: unknown };

    it('locale=de-CH: flat fields through the fallback chain (de-CH → de-DE → en-US), sys.locale; on every read', async () => {
      const full = (await get(asset()).expect(200)).body as Item & { fields: { file: Record<string, unknown> } };
      const expected = { title: 'Bild 0', file: full.fields.file['en-US'] };
      const one = (await get(`${asset()}?locale=de-CH`).expect(200)).body as Item;
      expect(one.fields).toEqual(expected);
      expect(one.sys.locale).toBe('de-CH');
      const listed = (await get(`/spaces/${spaceId}/assets?locale=de-CH&sys.id=${created[0]}`).expect(200)).body as { items: Item[] };
      expect(listed.items[0]?.fields).toEqual(expected);
      const published = (await get(`/spaces/${spaceId}/public/assets?locale=de-CH&sys.id=${created[0]}`).expect(200)).body as {
        items: Item[];
      };
      expect(published.items[0]?.fields).toEqual(expected);
      const english = (await get(`${asset()}?locale=en-US`).expect(200)).body as Item;
      expect(english.fields.title).toBe('Asset 0');
    });

    it('locale=* is the full shape; an unknown locale is a 400', async () => {
      const full = (await get(asset()).expect(200)).body as Item;
      expect((await get(`${asset()}?locale=*`).expect(200)).body).toEqual(full);
      expectContentfulError(await get(`${asset()}?locale=xx-XX`), 400, 'BadRequest');
      expectContentfulError(await get(`/spaces/${spaceId}/assets?locale=de-DE,en-US`), 400, 'BadRequest');
      expectContentfulError(await get(`/spaces/${spaceId}/public/assets?locale=__proto__`), 400, 'BadRequest');
      expectContentfulError(await get(`/spaces/${spaceId}/assets?locale=a&locale=b`), 400, 'InvalidQuery');
    });

    it('select=sys,fields.title projects; sys.id alone; a bad select is a 400 InvalidQuery', async () => {
      const full = (await get(asset()).expect(200)).body as Item;
      const projected = (await get(`${asset()}?select=sys,fields.title`).expect(200)).body as Item;
      expect(projected).toEqual({ sys: full.sys, fields: { title: { 'en-US': 'Asset 0', 'de-DE': 'Bild 0' } } });
      const listed = (await get(`/spaces/${spaceId}/public/assets?select=sys.id&order=sys.createdAt`).expect(200)).body as {
        items: Item[];
      };
      expect(listed.items).toEqual(created.slice(0, 5).map((id) => ({ sys: { id } })));
      const both = (await get(`${asset()}?select=fields.title,sys.locale&locale=de-DE`).expect(200)).body as Item;
      expect(both).toEqual({ sys: { locale: 'de-DE' }, fields: { title: 'Bild 0' } });
      for (const select of ['fields.file.url', 'fields.nope', 'secret', 'sys,,fields']) {
        const response = await get(`${asset()}?select=${encodeURIComponent(select)}`);
        expectContentfulError(response, 400, 'InvalidQuery');
        expect(response.body).toMatchObject({ details: { errors: [{ name: 'select' }] } });
      }
      expectContentfulError(await get(`/spaces/${spaceId}/assets?select=sys&select%5B0%5D=fields`), 400, 'InvalidQuery');
    });
  });

  describe('the published snapshot', () => {
    let otherSpace: string;
    beforeAll(async () => {
      otherSpace = await newSpace(api.baseUrl, user);
    });
    const publicAssets = (query = '') => get(`/spaces/${otherSpace}/environments/master/public/assets${query}`);
    const version = (value: number) => ({ 'X-Contentful-Version': String(value) });

    it('serves what was published while the draft moves on; unpublish and archive take it away; a republish takes the new draft', async () => {
      const { id, version: publishedAt } = await newAsset(otherSpace, { 'en-US': 'Before' });
      const path = `/spaces/${otherSpace}/environments/master/assets/${id}`;
      const draft = (await get(path).expect(200)).body as { fields: { title: Record<string, string>; file: unknown } };
      const saved = await request(api.baseUrl)
        .put(path)
        .set(user.auth)
        .set(version(publishedAt))
        .set('Content-Type', JSON_TYPE)
        .send({ fields: { ...draft.fields, title: { 'en-US': 'After' } } })
        .expect(200);
      const savedVersion = (saved.body as { sys: { version: number } }).sys.version;

      const management = (await get(`/spaces/${otherSpace}/assets`).expect(200)).body as { items: { fields: { title: object } }[] };
      expect(management.items[0]?.fields.title).toEqual({ 'en-US': 'After' });
      const published = (await publicAssets().expect(200)).body as {
        sys: object;
        total: number;
        items: { sys: Record<string, unknown>; fields: { title: object; file: unknown } }[];
      };
      expect(published.sys).toEqual({ type: 'Array' });
      expect(published.total).toBe(1);
      expect(published.items[0]?.fields).toEqual({ title: { 'en-US': 'Before' }, file: draft.fields.file });
      expect(published.items[0]?.sys).toMatchObject({ type: 'Asset', id, version: publishedAt - 1, publishedVersion: publishedAt - 1 });
      expect(published.items[0]?.sys.fileProcessing).toBeUndefined();
      // The filters read the snapshot.
      expect(((await publicAssets('?fields.title=Before').expect(200)).body as { total: number }).total).toBe(1);
      expect(((await publicAssets('?fields.title=After').expect(200)).body as { total: number }).total).toBe(0);
      expect(((await get(`/spaces/${otherSpace}/assets?fields.title=Before`).expect(200)).body as { total: number }).total).toBe(0);

      // The SDK's view of both.
      jest.spyOn(console, 'warn').mockImplementation(() => undefined);
      const environment = await (await createClient(options(), { type: 'legacy' }).getSpace(otherSpace)).getEnvironment('master');
      const [asPublished] = (await environment.getPublishedAssets()).items;
      expect(asPublished?.fields.title['en-US']).toBe('Before');
      expect(asPublished?.isPublished()).toBe(true);
      const updated = await environment.getAsset(id);
      expect(updated.isUpdated()).toBe(true);

      await request(api.baseUrl).delete(`${path}/published`).set(user.auth).expect(200);
      expect(((await publicAssets().expect(200)).body as { total: number }).total).toBe(0);
      const republished = await request(api.baseUrl)
        .put(`${path}/published`)
        .set(user.auth)
        .set(version(savedVersion + 1))
        .expect(200);
      const again = (await publicAssets().expect(200)).body as { items: { sys: { version: number }; fields: { title: object } }[] };
      expect(again.items[0]?.fields.title).toEqual({ 'en-US': 'After' });
      expect(again.items[0]?.sys.version).toBe((republished.body as { sys: { publishedVersion: number } }).sys.publishedVersion);

      await request(api.baseUrl).delete(`${path}/published`).set(user.auth).expect(200);
      await request(api.baseUrl).put(`${path}/archived`).set(user.auth).expect(200);
      expect(((await publicAssets().expect(200)).body as { total: number }).total).toBe(0);
    });

    it("the published file keeps delivering after the draft's file is replaced and processed again; unpublishing lets it go", async () => {
      const { id, version: afterPublish, bytes } = await newAsset(otherSpace, { 'en-US': 'Photo' });
      const path = `/spaces/${otherSpace}/environments/master/assets/${id}`;
      const deliveryPath = deliveryPathOf;
      const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
      const delivered = async (url: string | undefined) =>
        (
          await request(api.baseUrl)
            .get(deliveryPath(url))
            .buffer(true)
            .parse((response, done) => {
              const chunks: Buffer[] = [];
              response.on('data', (chunk: Buffer) => chunks.push(chunk));
              response.on('end', () => done(null, Buffer.concat(chunks)));
            })
            .expect(200)
        ).body as Buffer;
      type FileJson = { fields: { file: Record<string, { url?: string }> } };
      const publishedUrl = ((await get(path).expect(200)).body as FileJson).fields.file['en-US']?.url;
      expect(sha256(await delivered(publishedUrl))).toBe(sha256(bytes));

      const replacement = await makeImage(9, 9, 'jpeg');
      const upload = await uploadBytes(client(otherSpace), replacement);
      await request(api.baseUrl)
        .put(path)
        .set(user.auth)
        .set(version(afterPublish))
        .set('Content-Type', JSON_TYPE)
        .send({ fields: { title: { 'en-US': 'Photo' }, file: { 'en-US': fileField(upload, 'photo.jpg', 'image/jpeg') } } })
        .expect(200);
      await request(api.baseUrl)
        .put(`${path}/files/en-US/process`)
        .set(user.auth)
        .set(version(afterPublish + 1))
        .expect(204);
      const draftUrl = (await waitForProcessing(client(otherSpace), id, 'en-US')).body.fields.file?.['en-US']?.url;
      expect(draftUrl).not.toBe(publishedUrl);
      expect(sha256(await delivered(draftUrl))).toBe(sha256(replacement));
      // The published collection names the published file, and it still delivers the published bytes.
      const listed = (await publicAssets(`?sys.id=${id}`).expect(200)).body as { items: FileJson[] };
      expect(listed.items[0]?.fields.file['en-US']?.url).toBe(publishedUrl);
      expect(sha256(await delivered(publishedUrl))).toBe(sha256(bytes));

      await request(api.baseUrl).delete(`${path}/published`).set(user.auth).expect(200);
      await request(api.baseUrl).get(deliveryPath(publishedUrl)).expect(404);
      expect(sha256(await delivered(draftUrl))).toBe(sha256(replacement));
    });

    it('a locale renamed or deleted changes the published snapshot as it changes the draft', async () => {
      await addLocale(api.baseUrl, user, otherSpace, { name: 'French', code: 'fr-FR' });
      const { id } = await newAsset(otherSpace, { 'en-US': 'Sea', 'fr-FR': 'Mer' });
      const locales = (await get(`/spaces/${otherSpace}/environments/master/locales`).expect(200)).body as {
        items: { sys: { id: string; version: number }; code: string; name: string }[];
      };
      const french = locales.items.find((locale) => locale.code === 'fr-FR');
      await request(api.baseUrl)
        .put(`/spaces/${otherSpace}/environments/master/locales/${french?.sys.id}`)
        .set(user.auth)
        .set(version(french?.sys.version ?? 0))
        .set('Content-Type', JSON_TYPE)
        .send({ name: 'French (Canada)', code: 'fr-CA' })
        .expect(200);
      const snapshot = async () =>
        ((await publicAssets(`?sys.id=${id}`).expect(200)).body as { items: { fields: { title: object } }[] }).items[0]?.fields.title;
      expect(await snapshot()).toEqual({ 'en-US': 'Sea', 'fr-CA': 'Mer' });
      await request(api.baseUrl).delete(`/spaces/${otherSpace}/environments/master/locales/${french?.sys.id}`).set(user.auth).expect(204);
      expect(await snapshot()).toEqual({ 'en-US': 'Sea' });
    });
  });
});
