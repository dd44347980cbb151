import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHash, randomBytes } from 'node:crypto';
import { type AppConfig, ConfigModule } from '@hangar/config';
import { DatabaseModule } from '@hangar/database';
import { EventsModule } from '@hangar/events';
import { RemoteImportModule, RemoteImportService, UploadSessionService, uploadObjectPrefix } from '@hangar/ingest';
import { OutboundClient } from '@hangar/outbound';
import { StorageModule, StorageService } from '@hangar/storage';
import { type RunningApi, startApi } from './support/api-harness';
import { objectBytes } from './support/bucket';
import { newSpace, newUser, type TestUser } from './support/factories';
import { type RemoteServer, startRemoteServer, writeInPieces } from './support/remote-server';
import { testConfig } from './support/test-env';
import { uploadLeftovers } from './support/upload-inspection';

const MiB = 1024 * 1024;
const MAX_BYTES = 12 * MiB;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** What the worker will run: the ingestion core and the guarded client, configured from the environment. */
async function startImporter(config: AppConfig): Promise<INestApplicationContext> {
  @Module({ imports: [ConfigModule.forRoot(config), DatabaseModule, StorageModule, EventsModule, RemoteImportModule] })
  class ImporterModule {}
  const app = await NestFactory.createApplicationContext(ImporterModule, { logger: false, abortOnError: false });
  await app.init();
  return app;
}

/**
 * Remote import (`fields.file[locale].upload`) into the ingestion core
 * against real PostgreSQL and MinIO, from a real HTTP server on 127.0.0.1
 * reached through REMOTE_FETCH_ALLOW_HOSTS=localhost. Every refusal and
 * failure carries the reason the asset will record, and leaves no row, no
 * object and no incomplete multipart upload behind.
 */
describe('remote import (libs/ingest + libs/outbound)', () => {
  const photo = randomBytes(7 * MiB + 4321); // more than one 5 MiB part: the multipart path
  const tooBig = randomBytes(MAX_BYTES + 1);
  let api: RunningApi;
  let importer: INestApplicationContext;
  let remote: RemoteServer;
  let user: TestUser;
  /** Resolves when the server has sent all it will send of /stalls. */
  let bodyStalled: Promise<void>;

  beforeAll(async () => {
    let markStalled: () => void = () => undefined;
    bodyStalled = new Promise((resolve) => (markStalled = resolve));
    remote = await startRemoteServer((request, response) => {
      const path = request.url ?? '';
      const hops = /^\/hop\/(\d+)$/.exec(path);
      if (hops) return void response.writeHead(302, { location: `/hop/${Number(hops[1]) + 1}` }).end();
      switch (path) {
        case '/photo.png':
          return void response.writeHead(200, { 'content-type': 'image/png', 'content-length': photo.length }).end(photo);
        case '/to-loopback':
          return void response.writeHead(302, { location: remote.url('/photo.png') }).end();
        case '/to-ftp':
          return void response.writeHead(301, { location: 'ftp://localhost/photo.png' }).end();
        case '/too-big-announced':
          return void response.writeHead(200, { 'content-length': tooBig.length }).end(tooBig);
        case '/too-big-chunked':
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          return writeInPieces(response, tooBig, () => response.end());
        case '/stalls':
          // Two parts' worth (a multipart upload is under way), then silence until the test ends.
          response.writeHead(200, { 'content-length': String(MAX_BYTES) });
          return writeInPieces(response, randomBytes(10 * MiB + 1), () => markStalled());
        case '/empty':
          return void response.writeHead(200, { 'content-length': '0' }).end();
        default:
          return void response.writeHead(404).end();
      }
    });
    const env = { UPLOAD_MAX_BYTES: String(MAX_BYTES), REMOTE_FETCH_ALLOW_HOSTS: 'localhost' };
    api = await startApi(env);
    importer = await startImporter(testConfig(env));
    user = await newUser(api.baseUrl);
  });

  afterAll(async () => {
    await importer?.close();
    await remote?.close();
    await api?.close();
  });

  const imports = () => importer.get(RemoteImportService);
  const storage = () => importer.get(StorageService);

  async function incompleteMultipartUploads(spaceId: string): Promise<string[]> {
    return (await storage().listIncompleteMultipart(uploadObjectPrefix(spaceId))).uploads.map((upload) => upload.uploadId);
  }

  async function expectNothingLeft(spaceId: string): Promise<void> {
    expect(await uploadLeftovers(importer, spaceId)).toEqual({ rows: 0, objects: [] });
    expect(await incompleteMultipartUploads(spaceId)).toEqual([]);
  }

  it('imports a file from an allow-listed host into a ready Upload with its size and SHA-256', async () => {
    const spaceId = await newSpace(api.baseUrl, user);
    const imported = await imports().import({ spaceId, environmentId: 'master' }, user.id, remote.url('/photo.png', 'localhost'));
    expect(imported.contentType).toBe('image/png');
    expect(imported.url).toBe(remote.url('/photo.png', 'localhost'));
    expect(imported.upload).toMatchObject({
      status: 'ready',
      spaceId,
      environmentId: 'master',
      createdById: user.id,
      size: BigInt(photo.length),
      sha256: sha256(photo),
      multipartUploadId: null,
    });
    expect(sha256(await objectBytes(storage(), imported.upload.objectKey))).toBe(sha256(photo));
    expect(await uploadLeftovers(importer, spaceId)).toEqual({ rows: 1, objects: [imported.upload.objectKey] });
    expect(await incompleteMultipartUploads(spaceId)).toEqual([]);
  });

  describe('refused or failed, with the reason the asset records, and nothing left behind', () => {
    let spaceId: string;
    beforeAll(async () => {
      spaceId = await newSpace(api.baseUrl, user);
    });
    afterEach(async () => {
      await expectNothingLeft(spaceId);
    });

    const notPublic = 'only public addresses can be fetched unless the host is listed in REMOTE_FETCH_ALLOW_HOSTS.';

    it.each([
      ['http://127.0.0.1:{port}/photo.png', `127.0.0.1 is a loopback address; ${notPublic}`],
      ['http://2130706433:{port}/photo.png', `127.0.0.1 is a loopback address; ${notPublic}`],
      ['http://0x7f.1:{port}/photo.png', `127.0.0.1 is a loopback address; ${notPublic}`],
      ['http://[::ffff:127.0.0.1]:{port}/photo.png', `::ffff:7f00:1 is an IPv4-mapped IPv6 address; ${notPublic}`],
      ['http://0.0.0.0:{port}/photo.png', `0.0.0.0 is an unspecified address; ${notPublic}`],
    ])('%s: the address localhost stands for, not its name', async (template, reason) => {
      const before = remote.requests.length;
      await expect(
        imports().import({ spaceId, environmentId: 'master' }, user.id, template.replace('{port}', String(remote.port))),
      ).rejects.toMatchObject({
        message: reason,
        details: { failure: 'address' },
      });
      expect(remote.requests.length).toBe(before);
    });

    it('a redirect from the allowed host to loopback', async () => {
      const before = remote.requests.length;
      await expect(
        imports().import({ spaceId, environmentId: 'master' }, user.id, remote.url('/to-loopback', 'localhost')),
      ).rejects.toMatchObject({
        message: `After 1 redirect, to ${remote.url('/photo.png')}: 127.0.0.1 is a loopback address; ${notPublic}`,
        details: { failure: 'address' },
      });
      expect(remote.paths().slice(before)).toEqual(['/to-loopback']);
    });

    it('more than 5 redirects', async () => {
      const before = remote.requests.length;
      await expect(
        imports().import({ spaceId, environmentId: 'master' }, user.id, remote.url('/hop/0', 'localhost')),
      ).rejects.toMatchObject({
        message: 'The URL redirected more than 5 times.',
        details: { failure: 'redirects' },
      });
      expect(remote.requests.length - before).toBe(6);
    });

    it.each([
      ['ftp://localhost/photo.png', 'Only http and https URLs can be fetched, not ftp: URLs.'],
      ['file:///etc/passwd', 'Only http and https URLs can be fetched, not file: URLs.'],
    ])('a non-http scheme: %s', async (url, reason) => {
      await expect(imports().import({ spaceId, environmentId: 'master' }, user.id, url)).rejects.toMatchObject({
        message: reason,
        details: { failure: 'scheme' },
      });
    });

    it('a redirect to a non-http scheme', async () => {
      await expect(
        imports().import({ spaceId, environmentId: 'master' }, user.id, remote.url('/to-ftp', 'localhost')),
      ).rejects.toMatchObject({
        message: 'After 1 redirect, to ftp://localhost/photo.png: Only http and https URLs can be fetched, not ftp: URLs.',
      });
    });

    it('a body announced over UPLOAD_MAX_BYTES: refused before the session opens', async () => {
      await expect(
        imports().import({ spaceId, environmentId: 'master' }, user.id, remote.url('/too-big-announced', 'localhost')),
      ).rejects.toMatchObject({
        errorId: 'RequestEntityTooLarge',
        message: `localhost:${remote.port} announced ${tooBig.length} bytes, more than the limit of ${MAX_BYTES} bytes.`,
        details: { failure: 'too-large' },
      });
    });

    it('a body over UPLOAD_MAX_BYTES without Content-Length: fails as it passes the cap, its parts discarded', async () => {
      await expect(
        imports().import({ spaceId, environmentId: 'master' }, user.id, remote.url('/too-big-chunked', 'localhost')),
      ).rejects.toMatchObject({
        errorId: 'RequestEntityTooLarge',
        message: `localhost:${remote.port} sent more than the limit of ${MAX_BYTES} bytes.`,
      });
    });

    it('a body that stops arriving (idle timeout) after a multipart upload began', async () => {
      const impatient = new OutboundClient({ allowHosts: ['localhost'], idleTimeoutMs: 1000 });
      const service = new RemoteImportService(
        testConfig({ UPLOAD_MAX_BYTES: String(MAX_BYTES) }),
        importer.get(UploadSessionService),
        impatient,
      );
      try {
        await expect(
          service.import({ spaceId, environmentId: 'master' }, user.id, remote.url('/stalls', 'localhost')),
        ).rejects.toMatchObject({
          message: `localhost:${remote.port} stopped sending the response for 1 s.`,
          details: { failure: 'timeout' },
          retryable: true,
        });
        // The server really had stalled mid-body (not failed some other way).
        await bodyStalled;
      } finally {
        await impatient.close();
      }
    });

    it('an empty file', async () => {
      await expect(
        imports().import({ spaceId, environmentId: 'master' }, user.id, remote.url('/empty', 'localhost')),
      ).rejects.toMatchObject({
        message: `localhost:${remote.port} sent an empty file.`,
      });
    });

    it('a missing file', async () => {
      await expect(
        imports().import({ spaceId, environmentId: 'master' }, user.id, remote.url('/nothing-here', 'localhost')),
      ).rejects.toMatchObject({
        message: `localhost:${remote.port} answered 404 Not Found.`,
        details: { failure: 'status' },
      });
    });
  });
});
