import type { INestApplicationContext } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createClient, type PlainClientAPI } from 'contentful-management';
import contentfulImport from 'contentful-import';
import { type RunningApi, startApi } from './support/api-harness';
import { deliveryPathOf } from './support/assets';
import { newSpace, newUser, type TestUser } from './support/factories';
import { makeImage } from './support/images';
import { startWorker } from './support/worker-harness';

/**
 * contentful-import's "import a space with assets" test, ported: a space export with its files downloaded into an
 * assetsDirectory (laid out as contentful-export writes it, `{assetsDirectory}/{host}/{path of the file url}`) is
 * imported with `uploadAssets: true` into a fresh Hangar space, and the run must report no error at all (upstream
 * forgives "Could not publish…" and processing timeouts; Hangar is held to zero).
 * Source: contentful/contentful-import, test/integration/import-lib.test.ts @ 42744a54bba4740d0f76f5b89a288b3028e0ba2d
 * ("It should import a space with assets properly when used as a lib"), its fixture
 * test/integration/exports/with-assets/space-with-downloaded-assets.json. Changed: setup only (host, hostUpload,
 * insecure, a space made through Hangar's API, no organization); the fixture is built here with two locales and
 * three assets (one with a file per locale, one left in draft) and no content types, entries, editor interfaces or
 * roles, which Hangar does not implement. `skipContentModel` is not set: it would skip the locales too. With an
 * export that holds no content types, import sends no content-type, editor-interface or entry request; its GET of
 * tags answers 404 and import treats that as "tags not available" without reporting it.
 * Then, beyond upstream (which only counts errors): the destination's locales and every asset, its fields, its
 * processing and the SHA-256 of its delivered bytes are checked against what the test wrote to disk, and a second
 * import of the same export into the same space (import's update path: PUTs with versions) must also report nothing.
 */
describe('contentful-import against Hangar (space with assets from a local assetsDirectory)', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let workDir: string;

  beforeAll(async () => {
    api = await startApi();
    worker = await startWorker();
    user = await newUser(api.baseUrl);
    workDir = await mkdtemp(join(tmpdir(), 'hangar-contentful-import-'));
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
    await worker.close();
    await api.close();
  });

  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  interface SourceFile {
    readonly locale: string;
    readonly bytes: Buffer;
    readonly fileName: string;
    readonly contentType: string;
    readonly width: number;
    readonly height: number;
  }
  interface SourceAsset {
    readonly id: string;
    readonly title: Record<string, string>;
    readonly description: Record<string, string>;
    readonly published: boolean;
    readonly files: SourceFile[];
  }

  /** What contentful-management's responseLogger is given: an axios response, or an axios error carrying one. */
  interface LoggedResponse {
    readonly config?: { method?: string; url?: string; baseURL?: string };
    readonly status?: number;
    readonly response?: { status: number };
  }
  const describeCall = ({ config, status, response }: LoggedResponse): string =>
    `${(config?.method ?? '?').toUpperCase()} ${config?.url ?? '?'} ${status ?? response?.status ?? 'no response'}`;

  const sourceSpace = 'n96dbk12ti8z';
  // Names unlike those Hangar gives a locale itself ("English (United States)"), so that import's update of the
  // destination's default locale (a PUT) and its creation of de-DE (a POST) show in what the space ends up with.
  const sourceLocales = [
    { name: 'English (imported)', code: 'en-US', fallbackCode: null, default: true, optional: false },
    { name: 'Deutsch (imported)', code: 'de-DE', fallbackCode: 'en-US', default: false, optional: true },
  ];

  interface Export {
    readonly contentFile: string;
    readonly assetsDirectory: string;
  }

  /** What contentful-export writes: the JSON, and every file under `{assetsDirectory}/{host}/{url path}`. */
  async function writeExport(name: string, assets: SourceAsset[]): Promise<Export> {
    const assetsDirectory = join(workDir, name);
    const exported = [];
    for (const asset of assets) {
      const file: Record<string, unknown> = {};
      for (const source of asset.files) {
        const digest = sha256(source.bytes).slice(0, 32);
        const urlPath = `images.ctfassets.net/${sourceSpace}/${asset.id}/${digest}/${source.fileName}`;
        await mkdir(dirname(join(assetsDirectory, urlPath)), { recursive: true });
        await writeFile(join(assetsDirectory, urlPath), source.bytes);
        file[source.locale] = {
          url: `//${urlPath}`,
          details: { size: source.bytes.length, image: { width: source.width, height: source.height } },
          fileName: source.fileName,
          contentType: source.contentType,
        };
      }
      const sys = {
        space: { sys: { type: 'Link', linkType: 'Space', id: sourceSpace } },
        id: asset.id,
        type: 'Asset',
        createdAt: '2021-03-03T10:44:21.368Z',
        updatedAt: '2021-03-03T10:44:46.947Z',
        environment: { sys: { id: 'master', type: 'Link', linkType: 'Environment' } },
        version: asset.published ? 5 : 3,
        ...(asset.published ? { publishedVersion: 4, publishedAt: '2021-03-03T10:44:46.947Z', publishedCounter: 1 } : {}),
      };
      exported.push({ metadata: { tags: [] }, sys, fields: { title: asset.title, description: asset.description, file } });
    }
    const locales = sourceLocales.map((locale, index) => ({
      ...locale,
      contentManagementApi: true,
      contentDeliveryApi: true,
      sys: { type: 'Locale', id: `sourceLocale${index}`, version: 1 },
    }));
    const content = { contentTypes: [], tags: [], editorInterfaces: [], entries: [], assets: exported, locales, webhooks: [], roles: [] };
    const contentFile = join(workDir, `${name}.json`);
    await writeFile(contentFile, JSON.stringify(content));
    return { contentFile, assetsDirectory };
  }

  const plainClient = (spaceId: string): PlainClientAPI =>
    createClient(
      { accessToken: user.token, host: api.host, hostUpload: api.host, insecure: true },
      { type: 'plain', defaults: { spaceId, environmentId: 'master' } },
    );

  /** The export every test imports: three assets, one with a file per locale, one left in draft. */
  async function sourceAssets(): Promise<SourceAsset[]> {
    return [
      {
        id: '3zWbCFcZmV1WzzRYhVrd0O',
        title: { 'en-US': 'Pretty Picture', 'de-DE': 'Hübsches Bild' },
        description: { 'en-US': 'Much description' },
        published: true,
        files: [
          {
            locale: 'en-US',
            bytes: await makeImage(64, 48, 'jpeg', true),
            fileName: 'windows.jpg',
            contentType: 'image/jpeg',
            width: 64,
            height: 48,
          },
          {
            locale: 'de-DE',
            bytes: await makeImage(48, 64, 'png', true),
            fileName: 'fenster.png',
            contentType: 'image/png',
            width: 48,
            height: 64,
          },
        ],
      },
      {
        id: 't6Oc5OEaU8RMODFvQq96P',
        title: { 'en-US': 'What is this' },
        description: { 'en-US': 'Wat wat' },
        published: true,
        files: [
          {
            locale: 'en-US',
            bytes: await makeImage(40, 30, 'jpeg', true),
            fileName: 'what_is_this.jpg',
            contentType: 'image/jpeg',
            width: 40,
            height: 30,
          },
        ],
      },
      {
        id: 'draftAsset1',
        title: { 'en-US': 'Draft' },
        description: { 'en-US': 'Never published' },
        published: false,
        files: [
          {
            locale: 'en-US',
            bytes: await makeImage(20, 20, 'png', true),
            fileName: 'draft.png',
            contentType: 'image/png',
            width: 20,
            height: 20,
          },
        ],
      },
    ];
  }

  /** Runs contentful-import as a library; answers the errors it reports and every response it logged. */
  async function runImport(spaceId: string, { contentFile, assetsDirectory }: Export): Promise<{ errors: unknown[]; calls: string[] }> {
    // The import prints its tables and progress; the run's errors are what it throws (ContentfulMultiError.errors).
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const calls: string[] = [];
    let errors: unknown[] = [];
    try {
      // host, hostUpload and insecure reach import's contentful-management client (its typings list only host).
      const options = {
        spaceId,
        managementToken: user.token,
        host: api.host,
        hostUpload: api.host,
        insecure: true,
        contentFile,
        uploadAssets: true,
        assetsDirectory,
        useVerboseRenderer: true,
        errorLogFile: `${contentFile}.errors.json`,
        responseLogger: (response: LoggedResponse) => calls.push(describeCall(response)),
      };
      await contentfulImport(options);
    } catch (error) {
      errors = (error as { errors?: unknown[] }).errors ?? [error];
    } finally {
      log.mockRestore();
    }
    return { errors, calls };
  }

  /** The destination holds the export's locales and assets: fields, processed files, delivered bytes. */
  async function expectImported(spaceId: string, assets: SourceAsset[]): Promise<void> {
    const client = plainClient(spaceId);
    const locales = await client.locale.getMany({ query: { limit: 100 } });
    expect(
      locales.items
        .map(({ name, code, fallbackCode, default: isDefault, optional }) => ({ name, code, fallbackCode, default: isDefault, optional }))
        .sort((a, b) => a.code.localeCompare(b.code)),
    ).toEqual([...sourceLocales].sort((a, b) => a.code.localeCompare(b.code)));

    const collection = await client.asset.getMany({ query: { limit: 100 } });
    expect(collection.items.map((asset) => asset.sys.id).sort()).toEqual(assets.map((asset) => asset.id).sort());
    for (const source of assets) {
      const asset = await client.asset.get({ assetId: source.id });
      expect(asset.fields.title).toEqual(source.title);
      expect(asset.fields.description).toEqual(source.description);
      expect(Boolean(asset.sys.publishedVersion)).toBe(source.published);
      expect(Object.keys(asset.fields.file).sort()).toEqual(source.files.map((file) => file.locale).sort());
      for (const file of source.files) {
        const imported = asset.fields.file[file.locale];
        expect(imported).toMatchObject({
          fileName: file.fileName,
          contentType: file.contentType,
          details: { size: file.bytes.length, image: { width: file.width, height: file.height } },
        });
        // Processed: a delivered url, no pending upload left.
        expect(imported?.url).toMatch(/^http:\/\/localhost:3000\/files\//);
        expect(imported).not.toHaveProperty('upload');
        expect(imported).not.toHaveProperty('uploadFrom');
        // The url names PUBLIC_BASE_URL's host; the test api listens elsewhere, so the path is fetched from it.
        const delivered = await fetch(`${api.baseUrl}${deliveryPathOf(imported?.url)}`);
        expect(delivered.status).toBe(200);
        expect(sha256(Buffer.from(await delivered.arrayBuffer()))).toBe(sha256(file.bytes));
      }
    }
  }

  it('imports locales and assets (files uploaded from the assetsDirectory) with zero errors', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const assets = await sourceAssets();
    const exported = await writeExport(`export-${spaceId}`, assets);

    const { errors, calls } = await runImport(spaceId, exported);
    expect(errors).toEqual([]);
    // Every request import sent, by endpoint: all answered, but its GET of tags (see above).
    const endpoint = (call: string) =>
      call
        .replaceAll(spaceId, '{spaceId}')
        .replace(/\/assets\/[^/ ]+/, '/assets/{assetId}')
        .replace(/\/locales\/[^/ ]+/, '/locales/{localeId}')
        .replace(/\/files\/[^/ ]+/, '/files/{locale}');
    expect([...new Set(calls.map(endpoint))].sort()).toEqual(
      [
        'GET /spaces/{spaceId} 200',
        'GET /spaces/{spaceId}/environments/master 200',
        'GET /spaces/{spaceId}/environments/master/tags 404',
        'GET /spaces/{spaceId}/environments/master/locales 200',
        'PUT /spaces/{spaceId}/environments/master/locales/{localeId} 200',
        'POST /spaces/{spaceId}/environments/master/locales 201',
        'GET /spaces/{spaceId}/environments/master/assets 200',
        'POST /spaces/{spaceId}/environments/master/uploads 201',
        'PUT /spaces/{spaceId}/environments/master/assets/{assetId} 201',
        'PUT /spaces/{spaceId}/environments/master/assets/{assetId}/files/{locale}/process 204',
        'GET /spaces/{spaceId}/environments/master/assets/{assetId} 200',
        'PUT /spaces/{spaceId}/environments/master/assets/{assetId}/published 200',
      ].sort(),
    );
    expect(calls.filter((call) => call.startsWith('POST') && call.includes('/uploads '))).toHaveLength(4);
    await expectImported(spaceId, assets);
  });

  it('imports the same export again into the same space: updates in place, zero errors', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const assets = await sourceAssets();
    const exported = await writeExport(`export-${spaceId}`, assets);
    expect((await runImport(spaceId, exported)).errors).toEqual([]);
    const client = plainClient(spaceId);
    const versions = new Map(
      (await client.asset.getMany({ query: { limit: 100 } })).items.map((asset) => [asset.sys.id, asset.sys.version]),
    );

    // Now the destination has every locale and asset: import updates them (its PUTs carry their versions).
    const { errors, calls } = await runImport(spaceId, exported);
    expect(errors).toEqual([]);
    expect(calls.filter((call) => !call.endsWith(' 200') && !call.endsWith(' 201') && !call.endsWith(' 204'))).toEqual([
      `GET /spaces/${spaceId}/environments/master/tags 404`,
    ]);
    expect(calls.filter((call) => call.startsWith('POST') && call.includes('/locales '))).toEqual([]);
    for (const asset of (await client.asset.getMany({ query: { limit: 100 } })).items) {
      expect(asset.sys.version).toBeGreaterThan(versions.get(asset.sys.id) ?? Infinity);
    }
    await expectImported(spaceId, assets);
  });
});
