import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import request from 'supertest';
import { PrismaService } from '@hangar/database';
import { ArchiveExpansionService, expansionEntryPrefix, fileObjectKey, FilePath, FILES_PREFIX, FilesService } from '@hangar/files';
import { ObjectOwnershipRegistry, StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { newSpace, newUser, type TestUser } from './support/factories';
import { waitFor } from './support/processes';
import { startWorker } from './support/worker-harness';
import { buildZip, manyDirectoriesZip, markEncrypted, renameEntry, type ZipItem } from './support/zip';

const MiB = 1024 * 1024;
const MAX_BYTES = 16 * MiB;
const env = { S3_BUCKET: 'hangar-zip-test', UPLOAD_MAX_BYTES: String(MAX_BYTES), ZIP_MAX_ENTRIES: '10000' };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const ZIP = { 'Content-Type': 'application/zip' };

interface ExpansionResource {
  sys: { type: string; id: string };
  status: string;
  folder: string;
  entries: number | null;
  files: number;
  folders: number;
  bytes: number;
  archive: { size: number; sha256: string };
  error: { reason: string; message: string; entry: string | null } | null;
}

describe('ZIP expansion', () => {
  let api: RunningApi;
  let worker: INestApplicationContext;
  let user: TestUser;
  let spaceId: string;
  let prisma: PrismaService;
  let storage: StorageService;

  beforeAll(async () => {
    api = await startApi(env);
    worker = await startWorker(env);
    user = await newUser(api.baseUrl);
    spaceId = await newSpace(api.baseUrl, user);
    prisma = api.app.get(PrismaService);
    storage = api.app.get(StorageService);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const send = (folder: string, archive: Buffer, query = '?extract=zip') =>
    request(api.baseUrl).put(`/spaces/${spaceId}/folders/${folder}${query}`).set(user.auth).set(ZIP).send(archive);

  /** Polls the status resource (at the Location the 202 gave) until the expansion has ended. */
  async function settled(location: string): Promise<ExpansionResource> {
    const path = new URL(location).pathname;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { body } = await request(api.baseUrl).get(path).set(user.auth).expect(200);
      const resource = body as ExpansionResource;
      if (resource.status === 'succeeded' || resource.status === 'failed') return resource;
      if (Date.now() > deadline) throw new Error(`expansion still ${resource.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function expand(folder: string, archive: Buffer): Promise<ExpansionResource> {
    const accepted = await send(folder, archive).expect(202);
    const started = accepted.body as ExpansionResource;
    expect(started).toMatchObject({ sys: { type: 'FileExpansion' }, status: 'pending', folder, error: null });
    expect(started.archive).toEqual({ size: archive.length, sha256: sha256(archive) });
    expect(accepted.headers.location).toMatch(new RegExp(`/spaces/${spaceId}/file_expansions/${started.sys.id}$`));
    return settled(accepted.headers.location as string);
  }

  /** Everything the space's files hold: rows, sessions, objects under `files/{space}/` and incomplete multipart uploads. */
  async function footprint() {
    const prefix = `${FILES_PREFIX}${spaceId}/`;
    const [files, versions, folders, uploads, objects, multipart, archives] = await Promise.all([
      prisma.file.count({ where: { spaceId } }),
      prisma.fileVersion.count({ where: { file: { spaceId } } }),
      prisma.fileFolder.count({ where: { spaceId } }),
      prisma.upload.count({ where: { spaceId } }),
      storage.listKeys(prefix),
      storage.listIncompleteMultipart(prefix),
      prisma.fileExpansion.count({ where: { spaceId, archiveKey: { not: null } } }),
    ]);
    return { files, versions, folders, uploads, objects: objects.sort(), multipart: multipart.uploads.length, archives };
  }

  async function expectRefused(folder: string, archive: Buffer, reason: string, entry?: string | null) {
    const before = await footprint();
    const result = await expand(folder, archive);
    expect(result.status).toBe('failed');
    expect(result.error?.reason).toBe(reason);
    expect(result.error?.message).toEqual(expect.any(String));
    if (entry !== undefined) expect(result.error?.entry).toBe(entry);
    expect(result).toMatchObject({ files: 0, folders: 0, bytes: 0 });
    // The failure is recorded before the stored archive is removed: the footprint returns to what it was just after.
    const same = JSON.stringify(before);
    await waitFor(async () => JSON.stringify(await footprint()) === same, 10_000, 'the refused archive to be removed');
    expect(await footprint()).toEqual(before);
    await request(api.baseUrl).get(`/spaces/${spaceId}/folders/${folder}`).set(user.auth).expect(404);
    return result;
  }

  it('expands a 200-entry archive with nested folders whole: every entry readable with the SHA-256 of its bytes', async () => {
    const items: (ZipItem & { bytes: Buffer })[] = [];
    for (let index = 0; index < 199; index += 1) {
      items.push({ name: `d${index % 7}/s${index % 3}/f${index}.bin`, bytes: randomBytes(1 + ((index * 977) % 20_000)) });
    }
    // Over one 5 MiB part: stored by the core as a multipart upload. Stored, not deflated.
    items.push({ name: 'big/large.bin', bytes: randomBytes(6 * MiB), compress: false });
    const archive = await buildZip([...items, { name: 'empty/' }]);

    const before = await footprint();
    const result = await expand('site', archive);
    expect(result).toMatchObject({
      status: 'succeeded',
      folder: 'site',
      entries: 201,
      files: 200,
      bytes: items.reduce((sum, item) => sum + item.bytes.length, 0),
      error: null,
    });
    // The target folder and the directory entry are explicit folders.
    expect(result.folders).toBe(2);
    for (const item of items) {
      const metadata = await request(api.baseUrl).get(`/spaces/${spaceId}/file_metadata/site/${item.name}`).set(user.auth).expect(200);
      expect(metadata.body).toMatchObject({ path: `site/${item.name}`, size: item.bytes.length, sha256: sha256(item.bytes) });
    }
    const large = items.at(-1) as { bytes: Buffer };
    const read = await request(api.baseUrl)
      .get(`/spaces/${spaceId}/files/site/big/large.bin`)
      .set(user.auth)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(sha256(read.body as Buffer)).toBe(sha256(large.bytes));
    const empty = await request(api.baseUrl).get(`/spaces/${spaceId}/folders/site/empty`).set(user.auth).expect(200);
    expect(empty.body.total).toBe(0);

    const after = await footprint();
    // One object per version, nothing else: the archive and the sessions are gone.
    expect(after).toMatchObject({ files: before.files + 200, versions: before.versions + 200, uploads: 0, multipart: 0, archives: 0 });
    expect(after.objects.length).toBe(before.objects.length + 200);
  }, 180_000);

  it('expands zip64 archives', async () => {
    const bytes = randomBytes(300_000);
    const archive = await buildZip([
      { name: 'z/one.bin', bytes, zip64: true },
      { name: 'z/two.txt', bytes: Buffer.from('two'), zip64: true },
    ]);
    const result = await expand('zip64', archive);
    expect(result).toMatchObject({ status: 'succeeded', files: 2, bytes: bytes.length + 3 });
    const metadata = await request(api.baseUrl).get(`/spaces/${spaceId}/file_metadata/zip64/z/one.bin`).set(user.auth).expect(200);
    expect(metadata.body.sha256).toBe(sha256(bytes));
  });

  it('makes a new version of a file that exists, as a write does', async () => {
    await request(api.baseUrl)
      .put(`/spaces/${spaceId}/files/again/a.txt`)
      .set(user.auth)
      .set('Content-Type', 'application/octet-stream')
      .send('one')
      .expect(201);
    const result = await expand('again', await buildZip([{ name: 'a.txt', bytes: Buffer.from('two') }]));
    expect(result.status).toBe('succeeded');
    const versions = await request(api.baseUrl).get(`/spaces/${spaceId}/file_versions/again/a.txt`).set(user.auth).expect(200);
    expect((versions.body as { items: { sha256: string }[] }).items.map((version) => version.sha256)).toEqual([
      sha256(Buffer.from('two')),
      sha256(Buffer.from('one')),
    ]);
  });

  describe('refusals: each with its reason, and nothing written', () => {
    const plain = (name: string, text = 'x') => ({ name, bytes: Buffer.from(text) });

    it.each([
      ['../x', 'QQQQ'],
      ['/abs', 'QQQQ'],
      ['a\\b', 'QQQ'],
    ])('zip-slip name %j', async (name, placeholder) => {
      const archive = renameEntry(await buildZip([plain('ok.txt'), plain(placeholder)]), placeholder, name);
      await expectRefused('slip', archive, 'unsafe-path', name);
    });

    it('a zip bomb: 200 MiB of zeros deflated', async () => {
      const archive = await buildZip([plain('readme.txt'), { name: 'zeros.bin', bytes: Buffer.alloc(200 * MiB) }]);
      expect(archive.length).toBeLessThan(1 * MiB);
      await expectRefused('bomb', archive, 'compression-ratio', 'zeros.bin');
    }, 60_000);

    it('100,000 entries (refused from the central directory count, before reading one)', async () => {
      await expectRefused('many', manyDirectoriesZip(100_000), 'too-many-entries', null);
    });

    it('an archive of 500 directory entries within the cap is read whole (the hand-written archive is valid)', async () => {
      const result = await expand('dirs', manyDirectoriesZip(500));
      expect(result).toMatchObject({ status: 'succeeded', entries: 500, files: 0 });
    }, 60_000);

    it('a central directory inflated past 4 KiB per entry (60 KiB comments), refused before it is read', async () => {
      const items = Array.from({ length: 10 }, (_, index) => ({
        name: `c${index}.txt`,
        bytes: Buffer.from('x'),
        comment: 'c'.repeat(60_000),
      }));
      await expectRefused('comments', await buildZip(items), 'directory-too-large', null);
    });

    it('a symlink', async () => {
      const archive = await buildZip([plain('ok.txt'), { name: 'link', bytes: Buffer.from('/etc/passwd'), mode: 0o120777 }]);
      await expectRefused('symlink', archive, 'symlink', 'link');
    });

    it('an encrypted entry (general-purpose bit 0 in both headers)', async () => {
      const archive = markEncrypted(await buildZip([plain('secret.txt', 'not really encrypted')]));
      await expectRefused('encrypted', archive, 'encrypted', 'secret.txt');
    });

    it('a truncated archive', async () => {
      const archive = await buildZip([{ name: 'a.bin', bytes: randomBytes(50_000) }, plain('b.txt')]);
      await expectRefused('truncated', archive.subarray(0, Math.floor(archive.length / 2)), 'corrupt-archive');
    });

    it('two names that are one after Unicode normalisation (NFC)', async () => {
      const archive = await buildZip([plain('caf\u00e9.txt', 'composed'), plain('cafe\u0301.txt', 'decomposed')]);
      await expectRefused('nfc', archive, 'duplicate-name', 'cafe\u0301.txt');
    });

    it('a file where another entry needs a folder', async () => {
      await expectRefused('conflict', await buildZip([plain('a'), plain('a/b')]), 'path-conflict', 'a/b');
    });

    it('an entry whose path FilePath refuses (a control character)', async () => {
      await expectRefused('control', await buildZip([plain('bad\u0007name.txt')]), 'invalid-path', 'bad\u0007name.txt');
    });

    it('an entry whose bytes do not match its CRC-32, after other entries were already stored', async () => {
      const good = randomBytes(40_000);
      const archive = Buffer.from(
        await buildZip([
          { name: 'first.bin', bytes: good, compress: false },
          { name: 'second.txt', bytes: Buffer.from('QQQQ'), compress: false },
        ]),
      );
      const at = archive.lastIndexOf(Buffer.from('QQQQ'), archive.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
      archive.write('RRRR', at);
      await expectRefused('crc', archive, 'corrupt-archive', 'second.txt');
    });

    it('an entry that inflates past the size its headers declare (a lying bomb: the ratio is judged on the declared size)', async () => {
      const archive = Buffer.from(await buildZip([{ name: 'liar.bin', bytes: Buffer.alloc(300_000) }]));
      const central = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      archive.writeUInt32LE(1000, 22); // the local header's uncompressed size
      archive.writeUInt32LE(1000, central + 24); // the central directory's
      await expectRefused('liar', archive, 'corrupt-archive', 'liar.bin');
    });

    it('a target folder that is a file is a 409 before the archive is stored', async () => {
      await request(api.baseUrl)
        .put(`/spaces/${spaceId}/files/taken`)
        .set(user.auth)
        .set('Content-Type', 'application/octet-stream')
        .send('x')
        .expect(201);
      const before = await footprint();
      const refused = await send('taken', await buildZip([plain('a.txt')])).expect(409);
      expect(refused.body.sys.id).toBe('Conflict');
      expect(await footprint()).toEqual(before);
    });
  });

  describe('startAndWait (for dialects that answer once the files are in)', () => {
    const body = (archive: Buffer) => ({
      door: 'files' as const,
      chunks: Readable.from([archive]) as AsyncIterable<Buffer>,
      declaredLength: archive.length,
      clientGone: () => false,
    });

    it('returns the ended expansion when it ends in time, and "still running" (the row as it stands) when not', async () => {
      const expansions = api.app.get(ArchiveExpansionService);
      const bytes = randomBytes(1000);
      const archive = await buildZip([{ name: 'w.bin', bytes }]);
      const waited = await expansions.startAndWait(spaceId, user.id, FilePath.parse('waited'), body(archive), 60_000);
      expect(waited.settled).toBe(true);
      expect(waited.expansion).toMatchObject({ status: 'succeeded', fileCount: 1 });
      const metadata = await request(api.baseUrl).get(`/spaces/${spaceId}/file_metadata/waited/w.bin`).set(user.auth).expect(200);
      expect(metadata.body.sha256).toBe(sha256(bytes));

      const unwaited = await expansions.startAndWait(spaceId, user.id, FilePath.parse('unwaited'), body(archive), 0);
      expect(unwaited.settled).toBe(false);
      expect(['pending', 'running']).toContain(unwaited.expansion.status);
      const path = `/spaces/${spaceId}/file_expansions/${unwaited.expansion.id}`;
      const ended = await settled(`${api.baseUrl}${path}`);
      expect(ended.status).toBe('succeeded');
    });
  });

  describe('ownership (what the orphan sweep may remove)', () => {
    it('a waiting archive is owned by its expansion until it ends; an entry by its session until the commit', async () => {
      const registry = worker.get(ObjectOwnershipRegistry);
      const id = `owned${Date.now()}`;
      const archiveKey = fileObjectKey(spaceId, `archive-${id}`);
      await prisma.fileExpansion.create({
        data: { id, spaceId, folder: 'owned', archiveKey, archiveSize: 1n, archiveSha256: '', createdById: user.id },
      });
      const bytes = Buffer.from('entry');
      const entry = await api.app.get(FilesService).storeBytes(
        spaceId,
        user.id,
        {
          door: 'zip',
          chunks: Readable.from([bytes]) as AsyncIterable<Buffer>,
          declaredLength: bytes.length,
          clientGone: () => false,
          sender: 'server',
        },
        { objectKeyOf: (uploadId) => `${expansionEntryPrefix(spaceId, id)}${uploadId}` },
      );
      const stray = `${expansionEntryPrefix(spaceId, id)}stray`;
      expect(await registry.ownedKeys([archiveKey, entry.upload.objectKey, stray])).toEqual(new Set([archiveKey, entry.upload.objectKey]));

      await prisma.fileExpansion.update({ where: { id }, data: { status: 'failed', archiveKey: null } });
      await api.app.get(FilesService).discardStored(entry);
      expect(await registry.ownedKeys([archiveKey, entry.upload.objectKey])).toEqual(new Set());
    });
  });

  describe('retries', () => {
    it('a retried job discards what an earlier attempt left, lands each entry once, and a repeat changes nothing', async () => {
      const expansions = worker.get(ArchiveExpansionService);
      const bytes = Buffer.from('retried');
      const archive = await buildZip([{ name: 'r.txt', bytes }]);
      // An expansion whose first attempt died midway (no job queued: this test runs the attempts itself).
      const id = `retry${Date.now()}`;
      const archiveKey = fileObjectKey(spaceId, `archive-${id}`);
      await storage.putObject(archiveKey, archive);
      await prisma.fileExpansion.create({
        data: {
          id,
          spaceId,
          folder: 'retry',
          status: 'running',
          attempts: 1,
          archiveKey,
          archiveSize: BigInt(archive.length),
          archiveSha256: sha256(archive),
          createdById: user.id,
        },
      });
      // What it left: an entry's session (ready, never recorded) and an object without a row, under its prefix.
      const prefix = expansionEntryPrefix(spaceId, id);
      const leftover = await api.app.get(FilesService).storeBytes(
        spaceId,
        user.id,
        {
          door: 'zip',
          chunks: Readable.from([bytes]) as AsyncIterable<Buffer>,
          declaredLength: bytes.length,
          clientGone: () => false,
          sender: 'server',
        },
        { objectKeyOf: (uploadId) => `${prefix}${uploadId}` },
      );
      await storage.putObject(`${prefix}stray`, Buffer.from('stray'));

      await expansions.expand(id);
      expect(await prisma.fileExpansion.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: 'succeeded',
        attempts: 2,
        archiveKey: null,
        fileCount: 1,
      });
      expect(await prisma.upload.count({ where: { id: leftover.upload.id } })).toBe(0);
      const keys = await storage.listKeys(prefix);
      expect(keys).toHaveLength(1);
      expect(keys).not.toContain(leftover.upload.objectKey);
      expect(await storage.listKeys(archiveKey)).toEqual([]);

      await expansions.expand(id);
      const versions = await request(api.baseUrl).get(`/spaces/${spaceId}/file_versions/retry/r.txt`).set(user.auth).expect(200);
      expect(versions.body.total).toBe(1);
      expect(versions.body.items[0].sha256).toBe(sha256(bytes));
      expect(await storage.listKeys(prefix)).toEqual(keys);
    });
  });
});
